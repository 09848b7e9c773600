import { UsageError } from "../usage.js";

export async function run(_argv: string[]): Promise<number> {
  throw new UsageError("'plan' is not available yet");
}
