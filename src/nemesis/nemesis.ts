import type { Backend, FaultName, FaultParams } from "../backends/types.js";
import type { HistoryWriter } from "../history/writer.js";
import { STANDBY_FAULTS } from "./names.js";

/** When faults happen: at fractions of the workload's progress, or every N ms (K times). */
export type FaultSchedule =
  | { kind: "at"; fractions: number[] }
  | { kind: "every"; everyMs: number; times: number };

export interface NemesisHooks {
  /** Called right before and right after each fault (the monitor samples checkpoints there). */
  around?: (faultId: number, when: "before" | "after") => Promise<void>;
}

/**
 * A star: where faults on one standby go. `standby` (1-based) aims every one at that standby; null
 * aims them at the standbys in turn (1, 2, ..., N, 1, ...). Absent or `standbys` 1: the pair's standby.
 */
export interface NemesisAim {
  standbys: number;
  standby: number | null;
}

/** Lasting faults' parameters when the caller gives none (the config's defaults). */
export const DEFAULT_FAULT_PARAMS: FaultParams = { durationMs: 5_000, delayMs: 200, jitterMs: 50 };

/**
 * The nemesis role: asks the backend to inject faults on the schedule and records each one (start, end,
 * the backend's evidence) in the history. It knows fault names, not how a backend implements them.
 * With several fault types, the n-th scheduled fault is the (n mod types)-th type: a schedule of six
 * points over six types brings each once.
 */
export class Nemesis {
  private nextId = 1;
  private readonly done: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> = Promise.resolve();
  private stopped = false;
  faultsInjected = 0;
  private readonly faults: readonly FaultName[];
  /** Faults aimed at one standby so far (the turn of the next one). */
  private aimed = 0;

  constructor(
    private readonly backend: Backend,
    private readonly history: HistoryWriter,
    fault: FaultName | readonly FaultName[],
    private readonly schedule: FaultSchedule,
    private readonly hooks: NemesisHooks = {},
    private readonly signal?: AbortSignal,
    private readonly params: FaultParams = DEFAULT_FAULT_PARAMS,
    private readonly aim?: NemesisAim,
  ) {
    this.faults = typeof fault === "string" ? [fault] : [...fault];
    if (this.faults.length === 0) throw new Error("the nemesis needs at least one fault type");
    // A schedule without a point injects nothing, so a backend that brings none of the types still runs
    // the drill (existing clusters without kube access or killCdcCommand, with faults.killCdc.at: []).
    const scheduled = schedule.kind === "at" ? schedule.fractions.length > 0 : schedule.times > 0;
    for (const f of scheduled ? this.faults : []) {
      if (!backend.faults.includes(f)) {
        throw new Error(
          `backend ${backend.info.name} cannot inject fault ${f} (it supports: ${backend.faults.join(", ") || "none"})`,
        );
      }
    }
  }

  /** Timed schedules start their clock here. */
  start(): void {
    if (this.schedule.kind !== "every") return;
    const { everyMs, times } = this.schedule;
    const tick = () => {
      if (this.stopped || this.faultsInjected >= times) return;
      this.current = this.current.then(() => this.inject());
      this.timer = setTimeout(tick, everyMs);
    };
    this.timer = setTimeout(tick, everyMs);
  }

  /** Progress-driven schedules: call with the workload's progress in [0, 1]. */
  onProgress(fraction: number): void {
    if (this.schedule.kind !== "at" || this.stopped) return;
    this.schedule.fractions.forEach((at, i) => {
      if (fraction >= at && !this.done.includes(i)) {
        this.done.push(i);
        this.current = this.current.then(() => this.inject());
      }
    });
  }

  /** Stops scheduling and waits for a fault in progress to finish (a half-injected fault is never left). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current;
  }

  private async inject(): Promise<void> {
    if (this.signal?.aborted) return;
    const id = this.nextId++;
    const fault = this.faults[(id - 1) % this.faults.length] as FaultName;
    this.faultsInjected++;
    const standby = this.target(fault);
    await this.hooks.around?.(id, "before");
    this.history.append({
      type: "fault",
      id,
      name: fault,
      phase: "start",
      time: Date.now(),
      ...(standby !== undefined ? { standby } : {}),
    });
    try {
      const params = standby !== undefined ? { ...this.params, standby } : this.params;
      const evidence = await this.backend.inject(fault, this.signal, params);
      this.history.append({ type: "fault", id, name: fault, phase: "end", time: Date.now(), evidence });
    } catch (e) {
      this.history.append({
        type: "fault",
        id,
        name: fault,
        phase: "end",
        time: Date.now(),
        error: e instanceof Error ? e.message : String(e),
      });
    }
    await this.hooks.around?.(id, "after");
  }

  /** A star: the standby a fault on one standby is aimed at; undefined for a pair or a fault on every edge. */
  private target(fault: FaultName): number | undefined {
    const aim = this.aim;
    if (!aim || aim.standbys < 2 || !STANDBY_FAULTS.has(fault)) return undefined;
    return aim.standby ?? (this.aimed++ % aim.standbys) + 1;
  }
}
