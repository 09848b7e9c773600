import type { DrillExecutor, WriteOutcome } from "../client/executor.js";
import type { PlannedDdl, PlannedOp, PlannedWrite, WorkloadPlanner } from "../generator/workload.js";
import type { HistoryWriter } from "../history/writer.js";

/**
 * Joins generator, client and history: each worker plans an op, records the invoke, runs it,
 * records the completion and feeds the outcome back to the generator's model.
 */
export class WorkloadRunner {
  private nextId = 1;
  opsDone = 0;
  outcomes = { ok: 0, fail: 0, info: 0 };
  private issued = 0;
  private nextSlot = 0;
  private stopped = false;
  /** The ordering probes (hot keys, insert chains) run in the first leg only: a chain re-inserted would duplicate. */
  private probesDone = false;
  /** The workload triggers, like the probes, run in the first leg only. */
  private triggersDone = false;
  /** What each trigger step did, in order (the history holds the same as ddl ops). */
  readonly triggerResults: Array<{ step: PlannedDdl; outcome: "ok" | "fail" | "info"; error?: string }> = [];
  /** What the bulk-import trigger did (the history holds it as a write with via "import"). */
  readonly importResults: Array<{ op: PlannedWrite; outcome: "ok" | "fail" | "info"; error?: string }> = [];
  /**
   * Runs a bulk import (trigger bulkImport; set by the drill from the backend's bulkImport). Its
   * outcome is the import job's: ok once it completed, fail when no row of it can be there, info when
   * it was not seen to finish.
   */
  importer?: (op: PlannedWrite, id: number) => Promise<WriteOutcome>;
  /** Told of every op that completed (scenario capacity measures write latency and rows with it). */
  onCompleted?: (op: PlannedOp, invokeTime: number, outcome: WriteOutcome, time: number) => void;

  constructor(
    private readonly planner: WorkloadPlanner,
    private exec: DrillExecutor,
    private readonly history: HistoryWriter,
    private opts: {
      ops: number | null;
      durationMs: number | null;
      targetRate: number;
      concurrency: number;
      signal?: AbortSignal;
      onProgress?: (fraction: number) => void;
    },
  ) {}

  /** Op ids are global across workers, setup steps and probes: one counter hands them all out. */
  allocateId(): number {
    return this.nextId++;
  }

  /** Runs one op and records it; returns its outcome. Used for setup steps too (process = -1). */
  async run(op: PlannedOp, process: number): Promise<WriteOutcome> {
    return (await this.runWithId(op, process)).outcome;
  }

  /** As run(), with the op id the history records it under. */
  async runWithId(op: PlannedOp, process: number): Promise<{ id: number; outcome: WriteOutcome }> {
    const id = this.allocateId();
    const value =
      op.f === "write"
        ? {
            f: "write" as const,
            kind: op.kind,
            collection: op.collection,
            partition: op.partition,
            // An auto-id insert's keys do not exist yet: its completion names them.
            keys: op.autoId ? [] : op.keys,
            ...(op.viaImport ? { via: "import" as const } : {}),
          }
        : { f: "ddl" as const, action: op.action, collection: op.collection, detail: op.detail };
    const invokeTime = Date.now();
    this.history.append({ type: "invoke", id, process, time: invokeTime, value });
    const outcome: WriteOutcome =
      op.f === "ddl"
        ? await this.exec.ddl(op)
        : op.viaImport
          ? this.importer
            ? await this.importer(op, id)
            : { type: "fail", error: "no bulk import on this backend" }
          : await this.exec.write(op);
    this.onCompleted?.(op, invokeTime, outcome, Date.now());
    const assigned = outcome.assigned;
    this.history.append({
      type: outcome.type,
      id,
      process,
      time: Date.now(),
      ...(outcome.type !== "ok" ? { error: outcome.error } : {}),
      // An auto-id upsert's completion names the keys the rows kept (Milvus may have replaced them).
      ...(op.f === "write" && (op.autoId || op.reassigns) && assigned
        ? { keys: assigned.map((pk, i) => ({ pk, ver: op.keys[i]?.ver ?? 1 })) }
        : {}),
    });
    if (op.f === "write") this.planner.complete(op, outcome.type, assigned);
    else this.planner.completeDdl(op, outcome.type);
    this.outcomes[outcome.type]++;
    return { id, outcome };
  }

  /** Later ops go to another cluster (the new primary after a role change); ids and the model carry on. */
  retarget(exec: DrillExecutor): void {
    this.exec = exec;
  }

  /** Stops handing out ops; ops in flight finish and are recorded. */
  stop(): void {
    this.stopped = true;
  }

  /** Another leg of `ops` ops (e.g. on the new primary), on the same ids and model. */
  async runMore(ops: number): Promise<{ startedAt: number; endedAt: number }> {
    this.opts = { ...this.opts, ops, durationMs: null };
    this.issued = 0;
    this.opsDone = 0;
    this.stopped = false;
    return this.runWorkload();
  }

  /** Another leg that writes for durationMs at targetRate ops/s (scenario capacity's steps). */
  async runFor(durationMs: number, targetRate: number): Promise<{ startedAt: number; endedAt: number }> {
    this.opts = { ...this.opts, ops: null, durationMs, targetRate };
    this.issued = 0;
    this.opsDone = 0;
    this.nextSlot = 0;
    this.stopped = false;
    return this.runWorkload();
  }

  /** Progress of the workload in [0, 1]: by op count, or by time for duration-based runs. */
  progress(startedAt: number): number {
    if (this.opts.durationMs) return Math.min(1, (Date.now() - startedAt) / this.opts.durationMs);
    return Math.min(1, this.opsDone / Math.max(1, this.opts.ops ?? 1));
  }

  private more(startedAt: number): boolean {
    if (this.opts.signal?.aborted || this.stopped) return false;
    if (this.opts.durationMs) return Date.now() - startedAt < this.opts.durationMs;
    return this.issued < (this.opts.ops ?? 0);
  }

  /** Global rate limit: each op takes the next free slot (1000/rate ms apart). */
  private async pace(): Promise<void> {
    if (this.opts.targetRate <= 0) return;
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + 1000 / this.opts.targetRate;
    if (slot > now) await new Promise((r) => setTimeout(r, slot - now));
  }

  async runWorkload(): Promise<{ startedAt: number; endedAt: number }> {
    const startedAt = Date.now();
    const workers = Array.from({ length: this.opts.concurrency }, async (_, w) => {
      const plan = (): PlannedOp | null => {
        if (!this.more(startedAt)) return null;
        this.issued++;
        return this.planner.next(w);
      };
      let next = plan();
      while (next) {
        const op = next;
        await this.pace();
        const pending = this.run(op, w);
        // Plan (and render the rows of) the next op while this one is on the wire. Safe for the model:
        // keys of the op in flight are claimed, so the next op cannot pick them.
        next = plan();
        const outcome = await pending;
        if (op.f === "ddl" && op.followUps && outcome.type === "ok") {
          let ok = true;
          for (const step of op.followUps) ok = ok && (await this.run(step, w)).type === "ok";
          // A new collection gets a few writes right after it is ready, so DDL and DML interleave on it.
          if (ok && op.collection === this.planner.scratchName)
            await this.run(this.planner.scratchInsert(10), w);
        }
        this.opsDone++;
        this.opts.onProgress?.(this.progress(startedAt));
      }
    });
    // Ordering probes: their own logical process, spread over the run by progress.
    const probes = this.probesDone ? [] : this.planner.probeOps();
    this.probesDone = true;
    const probeWorker = (async () => {
      for (let i = 0; i < probes.length; i++) {
        while (this.more(startedAt) && this.progress(startedAt) < (i + 1) / (probes.length + 1)) {
          await new Promise((r) => setTimeout(r, 5));
        }
        if (this.opts.signal?.aborted || this.stopped) return;
        await this.run((probes[i] as () => PlannedWrite)(), this.opts.concurrency);
      }
    })();
    // Workload triggers (load/release, add-field twice in a row...): their own logical process, each
    // group at its point of the run while the workers write. Groups not reached when the writes end
    // run then, so a release is always followed by its load.
    const groups = this.triggersDone ? [] : this.planner.triggerGroups;
    const importAt = this.triggersDone ? undefined : this.planner.importPlan?.at;
    this.triggersDone = true;
    const triggerWorker = (async () => {
      for (const g of groups) {
        while (this.more(startedAt) && this.progress(startedAt) < g.at) {
          await new Promise((r) => setTimeout(r, 5));
        }
        if (this.opts.signal?.aborted) return;
        for (const step of g.steps) {
          const out = await this.run(step, this.opts.concurrency + 1);
          this.triggerResults.push({
            step,
            outcome: out.type,
            error: out.type !== "ok" ? out.error : undefined,
          });
        }
      }
    })();
    // Bulk import: its own logical process, mid-stream; like the other triggers it runs even when the
    // writes ended first, so a planned import is never silently skipped.
    const importWorker = (async () => {
      if (importAt === undefined) return;
      while (this.more(startedAt) && this.progress(startedAt) < importAt) {
        await new Promise((r) => setTimeout(r, 5));
      }
      if (this.opts.signal?.aborted) return;
      const op = this.planner.importBatch();
      if (!op) return;
      const out = await this.run(op, this.opts.concurrency + 2);
      this.importResults.push({ op, outcome: out.type, error: out.type !== "ok" ? out.error : undefined });
    })();
    await Promise.all([...workers, probeWorker, triggerWorker, importWorker]);
    return { startedAt, endedAt: Date.now() };
  }
}
