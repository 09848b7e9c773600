/**
 * A test hook: with MILVUS_CDC_DRILL_SIGNAL_AT=<phase>[:<SIGNAL>] the drill sends itself that
 * signal (default SIGINT) the moment the phase starts, so a test can cancel "in" any phase of a
 * real CLI or Action process without guessing with sleeps. The signal takes the normal path through
 * the process's one signal owner. `<phase>:CRASH` instead leaves an error nothing catches (a rejected
 * promise nobody awaits), the way a bug would, to prove the owner still tears down and reports.
 */
export function signalSelfAt(phase: string): void {
  const spec = process.env.MILVUS_CDC_DRILL_SIGNAL_AT;
  if (!spec) return;
  const [name, sig = "SIGINT"] = spec.split(":");
  if (name !== phase) return;
  if (sig === "CRASH") void Promise.reject(new Error(`test hook: an error nothing caught, in ${phase}`));
  else process.kill(process.pid, sig as NodeJS.Signals);
}
