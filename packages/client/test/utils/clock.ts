/**
 * TestClock helpers for tests that fork an operation and move time while it runs.
 */
import { Chunk, type Duration, Effect, type Fiber, TestClock } from "effect"

/** One real event-loop turn (1 ms timer): lets a woken fiber run. */
export const settle = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 1)))

/**
 * Waits (real time, at most about a second) until a fiber sleeps on the TestClock, or `fiber` is
 * done. Moving time before the fiber registers its next sleep would start that sleep late and make
 * the test depend on the machine's speed.
 */
export const untilSleeping = (fiber?: Fiber.RuntimeFiber<unknown, unknown>) =>
  Effect.gen(function*() {
    for (let i = 0; i < 300; i++) {
      if (Chunk.isNonEmpty(yield* TestClock.sleeps())) return
      if (fiber !== undefined && fiber.unsafePoll() !== null) return
      yield* settle
    }
  })

/** `TestClock.adjust`, once a fiber sleeps on the TestClock (see `untilSleeping`). */
export const adjust = (duration: Duration.DurationInput, fiber?: Fiber.RuntimeFiber<unknown, unknown>) =>
  Effect.zipRight(untilSleeping(fiber), TestClock.adjust(duration))
