#!/usr/bin/env node
// Stand-in for the user's milvus-backup against the local lab (test/drill-existing-seed.test.ts):
// `create NAME SOURCE_ID TARGET_ID` / `restore NAME SOURCE_ID TARGET_ID` ask the test's bridge at
// $LAB_BRIDGE to run the lab's backup / emulated restore secondary, print its answer, and fail with
// its error. Every call is appended to $MB_LOG.
import { appendFileSync } from "node:fs";

const [verb, name, source, target] = process.argv.slice(2);
if (process.env.MB_LOG) appendFileSync(process.env.MB_LOG, `${JSON.stringify(process.argv.slice(2))}\n`);
const q = new URLSearchParams({ name: name ?? "", source: source ?? "", target: target ?? "" });
const res = await fetch(`${process.env.LAB_BRIDGE}/${verb}?${q}`, { method: "POST" });
const text = await res.text();
(res.ok ? process.stdout : process.stderr).write(`${text}\n`);
process.exit(res.ok ? 0 : 1);
