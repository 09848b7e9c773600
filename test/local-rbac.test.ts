/**
 * RBAC on the local backend (rbac.ts): users, roles, grants and privilege groups made on the primary
 * reach the standby; the standby refuses them from a client; built-in roles cannot be dropped; and no
 * password lands in a file (not in the WAL, not in the front's state).
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { MilvusClient, RbacObjects } from "@zilliz/milvus2-sdk-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Lab } from "../src/backends/local/lab.js";
import { startTestLab, waitFor } from "./helpers/lab.js";

let lab: Lab;
let primary: MilvusClient;
let standby: MilvusClient;
const PASSWORD = "S3cret-Pass-9f41";
const NEW_PASSWORD = "N3w-Pass-77aa";

beforeAll(async () => {
  lab = await startTestLab({ replicate: true });
  primary = new MilvusClient({ address: lab.source.uri.replace("http://", "") });
  standby = new MilvusClient({ address: lab.target.uri.replace("http://", "") });
}, 240_000);

afterAll(async () => {
  await primary?.closeConnection();
  await standby?.closeConnection();
  await lab?.stop();
});

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
  }
  return out;
}

describe("RBAC on the local backend", () => {
  it("users, roles, grants and privilege groups replicate; built-ins stay", async () => {
    const okStatus = (r: { error_code: string | number; reason: string }) => expect(r.reason).toBe("");
    okStatus(await primary.createUser({ username: "alice", password: PASSWORD }));
    okStatus(await primary.createRole({ roleName: "reader" }));
    okStatus(await primary.grantRole({ username: "alice", roleName: "reader" }));
    okStatus(
      await primary.grantPrivilege({
        roleName: "reader",
        object: RbacObjects.Collection,
        objectName: "*",
        privilegeName: "Search",
      }),
    );
    okStatus(
      await primary.grantPrivilegeV2({
        role: "reader",
        privilege: "Query",
        db_name: "default",
        collection_name: "*",
      }),
    );
    okStatus(await primary.createPrivilegeGroup({ group_name: "pg" }));
    okStatus(await primary.addPrivilegesToGroup({ group_name: "pg", privileges: ["Search", "Query"] }));
    okStatus(
      await primary.updatePassword({ username: "alice", oldPassword: PASSWORD, newPassword: NEW_PASSWORD }),
    );

    await waitFor(
      "alice with role reader on the standby",
      async () => {
        const u = await standby.describeUser({ username: "alice", includeRoleInfo: true });
        return u.results?.[0]?.roles?.some((r) => r.name === "reader") === true;
      },
      30_000,
    );
    expect((await standby.listUsers()).usernames).toEqual(expect.arrayContaining(["root", "alice"]));
    const roles = (await standby.listRoles()).results.map((r) => r.role.name);
    expect(roles).toEqual(expect.arrayContaining(["admin", "public", "reader"]));
    await waitFor(
      "reader's grants and group pg on the standby",
      async () => {
        const grants = await standby.selectGrant({
          roleName: "reader",
          object: RbacObjects.Collection,
          objectName: "*",
        });
        const privileges = grants.entities.map((e) => e.grantor.privilege.name).sort();
        const groups = (await standby.listPrivilegeGroups()).privilege_groups;
        const pg = groups.find((g) => g.group_name === "pg");
        return (
          privileges.join(",") === "Query,Search" &&
          pg?.privileges
            .map((p) => p.name)
            .sort()
            .join(",") === "Query,Search"
        );
      },
      30_000,
    );

    // A client's change on the standby is refused, as every write on a secondary.
    expect((await standby.createRole({ roleName: "nope" })).error_code).not.toBe("Success");
    // Built-in roles and root stay.
    expect((await primary.dropRole({ roleName: "admin" })).reason).toMatch(
      /default role, which can't be dropped/,
    );
    expect((await primary.dropUser({ username: "root" })).reason).toMatch(/cannot be deleted/);

    // Revoke and drop replicate too.
    okStatus(await primary.revokeRole({ username: "alice", roleName: "reader" }));
    okStatus(await primary.dropUser({ username: "alice" }));
    okStatus(await primary.dropRole({ roleName: "reader" }));
    okStatus(await primary.dropPrivilegeGroup({ group_name: "pg" }));
    await waitFor(
      "alice, reader and pg gone from the standby",
      async () =>
        !(await standby.listUsers()).usernames.includes("alice") &&
        !(await standby.listRoles()).results.some((r) => r.role.name === "reader") &&
        (await standby.listPrivilegeGroups()).privilege_groups.length === 0,
      30_000,
    );

    // No password in any file the lab wrote (WALs, state, logs), also inside base64 runs: a WAL entry
    // holds the request base64-encoded, and the SDK sends the password base64-encoded within it.
    for (const f of await filesUnder(lab.dirs.root)) {
      const raw = await readFile(f).catch(() => Buffer.alloc(0));
      const layers = [raw];
      for (const m of raw.toString("latin1").matchAll(/[A-Za-z0-9+/]{16,}={0,2}/g)) {
        layers.push(Buffer.from(m[0], "base64"));
      }
      for (const bytes of layers) {
        for (const secret of [PASSWORD, NEW_PASSWORD]) {
          expect(bytes.includes(secret), `${f} holds a password`).toBe(false);
          const b64 = Buffer.from(secret).toString("base64");
          expect(bytes.includes(b64), `${f} holds a password (base64)`).toBe(false);
        }
      }
    }
  }, 180_000);
});
