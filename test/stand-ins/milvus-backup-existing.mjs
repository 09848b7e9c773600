#!/usr/bin/env node
// Stand-in for the user's own milvus-backup on existing clusters (backend.existing.milvusBackup):
// appends its arguments as one JSON line to $MB_LOG, prints a line carrying $MB_PRINT (a token the
// drill must mask), sleeps $MB_SLEEP_MS when set (a hang), and exits $MB_EXIT (default 0).
import { appendFileSync } from "node:fs";

const args = process.argv.slice(2);
if (process.env.MB_LOG) appendFileSync(process.env.MB_LOG, `${JSON.stringify(args)}\n`);
process.stdout.write(`milvus-backup ${args[0]} ${args[1] ?? ""} ${process.env.MB_PRINT ?? ""}\n`);
const sleep = Number(process.env.MB_SLEEP_MS ?? 0);
if (sleep > 0) await new Promise((r) => setTimeout(r, sleep));
process.exit(Number(process.env.MB_EXIT ?? 0));
