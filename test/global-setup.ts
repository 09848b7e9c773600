import { ensureMilvusLite } from "../src/backends/local/processes/milvus-lite-install.js";
import { actionNodeSupported, ensureActionNode } from "./helpers/action-node.js";
import { ensureActionlint } from "./helpers/actionlint.js";

/**
 * Install, once before any test worker starts, Milvus Lite (for the labs), the Node the Action runs
 * on (for test/action.test.ts) and actionlint (for test/action-build.test.ts; needs Go). All three
 * installs are idempotent.
 */
export default async function setup(): Promise<void> {
  await ensureMilvusLite((m) => console.log(m));
  if (actionNodeSupported) await ensureActionNode((m) => console.log(m));
  // A failed install does not stop the suite: the lint tests then fail under CI, or skip, naming it.
  await ensureActionlint((m) => console.log(m)).catch((e: Error) => console.log(`actionlint: ${e.message}`));
}
