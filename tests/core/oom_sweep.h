/*
 * oom_sweep.h -- the out-of-memory sweeps of the core tests, at every
 * arena position.
 *
 * The arena asks the allocator for memory only when a chunk is full, so
 * failing the N-th allocator call reaches few call sites.  A sweep first
 * fills the arena with pad bytes (in pieces small enough to share a
 * chunk), then arms the test allocator to fail its next call: run once
 * for each pad from 0 to two chunks, the code under test meets a full
 * chunk at every position in turn.
 */
#ifndef OOM_SWEEP_H
#define OOM_SWEEP_H

#include <string.h>

#include "../../core/internal.h"
#include "tap.h"

/* Pads up to two 16 KiB chunks cover every position of a chunk twice. */
#define OOM_SWEEP_MAX_PAD (2 * 16384)

/*
 * Fill ctx's arena with pad bytes, then make the allocator's next call
 * fail (tap_calls restarts; oom_disarm ends it).  Returns 0 when the
 * padding itself could not be allocated.
 */
static TAP_UNUSED int
oom_pad_and_arm(mg_ctx *ctx, size_t pad)
{
	int good = 1;

	while (pad > 0)
	{
		size_t piece = pad > 2048 ? 2048 : pad;

		if (mg_alloc(ctx, piece) == NULL)
			good = 0;
		pad -= piece;
	}
	tap_calls = 0;
	tap_fail_at = 1;
	return good;
}

/* The allocator succeeds again. */
static TAP_UNUSED void
oom_disarm(void)
{
	tap_fail_at = 0;
}

/*
 * Whether a call that returned rc failed cleanly for lack of memory:
 * MG_ENOMEM, the error says "out of memory", and nothing came back (out
 * NULL, count 0).
 */
static TAP_UNUSED int
oom_failed_cleanly(mg_ctx *ctx, int rc, const void *out, size_t count)
{
	return rc == MG_ENOMEM && out == NULL && count == 0 &&
		strcmp(mg_ctx_error(ctx)->message, "out of memory") == 0;
}

#endif
