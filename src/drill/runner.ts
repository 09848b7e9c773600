import { InternalError } from "../errors.js";
import {
  type Phase,
  PhaseError,
  type PhaseOutcome,
  type PhaseRecord,
  type PhaseRunnerOptions,
  type PhaseStop,
} from "./phase.js";

const DEFAULT_GRACE_MS = 5_000;

class NotStoppedInTime extends Error {}

/**
 * Runs the drill's phases in order and owns their cancellation: it holds the one AbortController
 * every phase receives (aborted when the caller's signal fires), records each phase (name, start,
 * duration, outcome) and remembers in which phase a cancellation arrived. The always-phases
 * (teardown, report) run whatever happened before them, so nothing is left behind and a cancelled
 * drill still reports.
 */
export class PhaseRunner<C> {
  readonly records: PhaseRecord[] = [];
  private readonly ctl = new AbortController();
  private current = "start";
  private cancelledIn: string | undefined;
  private stopped: PhaseStop | undefined;
  /** The step a PhaseError named, when a phase failed in a step of its own. */
  private failedStep: string | undefined;

  constructor(private readonly o: PhaseRunnerOptions) {
    const outer = o.signal;
    if (outer?.aborted) this.cancel();
    else outer?.addEventListener("abort", () => this.cancel(), { once: true });
  }

  /** Aborted once the drill is cancelled. */
  get signal(): AbortSignal {
    return this.ctl.signal;
  }

  /** Why the main phases stopped early, if they did. */
  get stop(): PhaseStop | undefined {
    return this.stopped;
  }

  private cancel(): void {
    this.cancelledIn ??= this.current;
    this.ctl.abort(new Error(`cancelled in ${this.cancelledIn}`));
  }

  /** Runs phases in order until one fails or the drill is cancelled. Never throws. */
  async run(phases: readonly Phase<C>[], ctx: C): Promise<PhaseStop | undefined> {
    for (const phase of phases) {
      if (this.stopped) break;
      if (this.ctl.signal.aborted) {
        this.stopped = this.cancelledStop();
        break;
      }
      const reason = phase.skip?.(ctx);
      if (reason) {
        this.record({
          name: phase.name,
          startedAt: Date.now(),
          durationMs: 0,
          outcome: "skipped",
          detail: reason,
        });
        continue;
      }
      const rec = await this.exec(phase, ctx, this.ctl.signal, true);
      if (rec.outcome === "cancelled") this.stopped = this.cancelledStop();
      else if (rec.outcome === "failed")
        this.stopped = {
          phase: this.failedStep ?? phase.name,
          message: rec.detail ?? "failed",
          cancelled: false,
        };
    }
    this.current = "end";
    return this.stopped;
  }

  /**
   * Phases that run whatever happened before (teardown, report). They get a signal that never fires:
   * cleanup is not cancellable (a second signal is the way to give up on it). Failures are recorded,
   * never thrown.
   */
  async always(phases: readonly Phase<C>[], ctx: C): Promise<void> {
    const never = new AbortController().signal;
    for (const phase of phases) await this.exec(phase, ctx, never, false);
  }

  private cancelledStop(): PhaseStop {
    const phase = this.cancelledIn ?? this.current;
    const why = this.o.signal?.reason;
    // Stopped by an error that escaped everything, not by a user: the report says which.
    if (why instanceof InternalError)
      return { phase, message: `internal error in ${phase}: ${why.message}`, cancelled: true };
    return { phase, message: `cancelled in ${phase}`, cancelled: true };
  }

  private async exec(
    phase: Phase<C>,
    ctx: C,
    signal: AbortSignal,
    cancellable: boolean,
  ): Promise<PhaseRecord> {
    this.current = phase.name;
    const startedAt = Date.now();
    let outcome: PhaseOutcome = "ok";
    let detail: string | undefined;
    try {
      this.o.onPhaseStart?.(phase.name);
      // A full turn of the event loop first (two immediates: the second comes after the next poll,
      // where process signals are read), so a signal that arrived as the phase started cancels it
      // even if the phase never awaits (check).
      for (let i = 0; i < 2; i++) await new Promise((r) => setImmediate(r));
      if (cancellable) signal.throwIfAborted();
      const work = this.o.log.group(phase.title, () => phase.run(ctx, signal));
      await (cancellable ? this.boundedByCancel(work, signal) : work);
      if (cancellable && signal.aborted) outcome = "cancelled";
    } catch (e) {
      if (cancellable && signal.aborted) {
        outcome = "cancelled";
        if (e instanceof NotStoppedInTime) detail = e.message;
      } else {
        outcome = "failed";
        detail = e instanceof Error ? e.message : String(e);
        if (e instanceof PhaseError) this.failedStep = e.phase;
      }
    }
    const rec: PhaseRecord = {
      name: phase.name,
      startedAt,
      durationMs: Date.now() - startedAt,
      outcome,
      ...(detail ? { detail } : {}),
    };
    this.record(rec);
    return rec;
  }

  private record(rec: PhaseRecord): void {
    this.records.push(rec);
    this.o.onPhaseEnd?.(rec);
  }

  /**
   * The phase's promise, unless the drill is cancelled and the phase has not stopped within the
   * grace period: then the runner moves on (teardown stops what the phase still waits on).
   */
  private boundedByCancel<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
    // An abandoned phase may still reject later: that must not become an unhandled rejection.
    work.catch(() => {});
    const graceMs = this.o.graceMs ?? DEFAULT_GRACE_MS;
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        timer = setTimeout(
          () => reject(new NotStoppedInTime(`did not stop within ${graceMs} ms of the cancellation`)),
          graceMs,
        );
      };
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
      work.then(
        (v) => {
          done();
          resolve(v);
        },
        (e: unknown) => {
          done();
          reject(e);
        },
      );
    });
  }
}
