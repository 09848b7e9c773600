/** Bad usage or config: the CLI prints the one-line message and exits 2, before anything is provisioned. */
export class UsageError extends Error {
  override name = "UsageError";
}
