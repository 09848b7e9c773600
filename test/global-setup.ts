import { ensureMilvusLite } from "../src/backends/local/processes/milvus-lite-install.js";

/** Install Milvus Lite once, before any test worker starts a lab (the install is idempotent). */
export default async function setup(): Promise<void> {
  await ensureMilvusLite((m) => console.log(m));
}
