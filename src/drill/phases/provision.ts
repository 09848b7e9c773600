import type { Backend } from "../../backends/types.js";
import { createBackend } from "../backends.js";
import type { DrillContext } from "../context.js";
import type { Phase } from "../phase.js";

/** Create (or connect to) both clusters. */
export const provision: Phase<DrillContext> = {
  name: "provision",
  title: "Provision clusters",
  async run(ctx, signal) {
    const { config, opts, log } = ctx;
    ctx.progress("provision");
    const backend: Backend =
      opts.backend ??
      (await createBackend(config, { log, runDir: opts.outDir, onCreated: opts.onProvisioned }));
    ctx.backend = backend;
    const pair = await backend.provision(signal);
    ctx.pair = pair;
    // kind reports its cluster itself the moment it exists (onCreated); the others own nothing to delete later.
    if (config.backend.type !== "kind") opts.onProvisioned?.({ backend: config.backend.type });
    log.info(
      `source ${pair.source.clusterId} at ${pair.source.uri}; target ${pair.target.clusterId} at ${pair.target.uri}`,
    );
  },
};
