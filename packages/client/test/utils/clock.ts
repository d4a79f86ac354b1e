/**
 * TestClock helpers for tests that fork an operation and move time while it runs.
 */
import { Chunk, type Duration, Effect, type Fiber, TestClock } from "effect"

/** One real event-loop turn (1 ms timer): lets a woken fiber run. */
export const settle = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 1)))

/**
 * Waits (real time, at most about a second) until a fiber sleeps on the TestClock for a finite
 * time, or `fiber` is done. Moving time before the fiber registers its next sleep would start that
 * sleep late and make the test depend on the machine's speed.
 *
 * The TestClock keeps the entry of a sleep that was interrupted (an attempt's timeout once the
 * attempt answered) until time passes it, so a test using this should give its attempts no timeout
 * (`Duration.infinity`, whose sleeps are ignored here) unless the timeout is what it measures.
 */
export const untilSleeping = (fiber?: Fiber.RuntimeFiber<unknown, unknown>) =>
  Effect.gen(function*() {
    for (let i = 0; i < 300; i++) {
      if (Chunk.some(yield* TestClock.sleeps(), Number.isFinite)) return
      if (fiber !== undefined && fiber.unsafePoll() !== null) return
      yield* settle
    }
  })

/** `TestClock.adjust`, once a fiber sleeps on the TestClock (see `untilSleeping`). */
export const adjust = (duration: Duration.DurationInput, fiber?: Fiber.RuntimeFiber<unknown, unknown>) =>
  Effect.zipRight(untilSleeping(fiber), TestClock.adjust(duration))

/**
 * Once a fiber sleeps on the TestClock (see `untilSleeping`): how long until the earliest finite
 * sleep ends, in milliseconds.
 */
export const nextSleep = (fiber?: Fiber.RuntimeFiber<unknown, unknown>) =>
  Effect.gen(function*() {
    yield* untilSleeping(fiber)
    const now = yield* TestClock.currentTimeMillis
    const ends = Chunk.toReadonlyArray(yield* TestClock.sleeps()).filter((end) => Number.isFinite(end) && end > now)
    return Math.min(...ends) - now
  })
