/**
 * Users, roles, grants and privilege groups on the local backend. Milvus Lite implements none of
 * them; the front keeps them (persisted in the cluster's state directory) and answers Milvus's RBAC
 * calls from them. Changes are cluster-wide mutations (methods.ts): fenced on a secondary, written to
 * the WAL, replicated and applied on the standby through the same store, as Milvus CDC replicates them.
 *
 * What differs from Milvus, on purpose:
 * - no password is kept anywhere (not in the state, not in the WAL: `walPayload` blanks them). The local
 *   backend authenticates only with the lab's token, so a user's password is never checked; an
 *   update_password is recorded as a change of that user and nothing else;
 * - privilege names are taken as given (Milvus refuses names it does not know);
 * - list_privilege_groups lists the groups created here, not Milvus's built-in ones.
 * Built in, as on Milvus: the user `root`, the roles `admin` and `public` (neither droppable).
 */
import { join } from "node:path";
import { decodeRequest, encodeRequest, encodeResponse, statusResponse } from "../../../milvus/proto.js";
import { readJson, writeJsonAtomic } from "../common/state.js";
import { milvusStatus } from "../common/statuses.js";

interface Grant {
  role: string;
  objectType: string;
  objectName: string;
  db: string;
  privilege: string;
  grantor: string;
}

interface State {
  users: string[];
  roles: string[];
  /** user -> roles */
  userRoles: Record<string, string[]>;
  grants: Grant[];
  groups: Record<string, string[]>;
}

const BUILTIN_USERS = ["root"];
const BUILTIN_ROLES = ["admin", "public"];

export const RBAC_WRITES: ReadonlySet<string> = new Set([
  "CreateCredential",
  "UpdateCredential",
  "DeleteCredential",
  "CreateRole",
  "DropRole",
  "OperateUserRole",
  "OperatePrivilege",
  "OperatePrivilegeV2",
  "CreatePrivilegeGroup",
  "DropPrivilegeGroup",
  "OperatePrivilegeGroup",
]);
const RBAC_READS = new Set([
  "ListCredUsers",
  "SelectRole",
  "SelectUser",
  "SelectGrant",
  "ListPrivilegeGroups",
]);

/** The request as the WAL may hold it: the same call with every password blanked. */
export function walPayload(method: string, body: Buffer): Buffer {
  if (method !== "CreateCredential" && method !== "UpdateCredential") return body;
  const req = decodeRequest<Record<string, unknown>>(method, body);
  for (const k of ["password", "oldPassword", "newPassword"]) if (k in req) req[k] = "";
  return encodeRequest(method, req);
}

type Entity = { name?: string };
interface GrantEntityReq {
  role?: Entity;
  object?: Entity;
  object_name?: string;
  db_name?: string;
  grantor?: { user?: Entity; privilege?: Entity };
}

const ok = (method: string) => statusResponse(method, {});
const refuse = (method: string, code: number, reason: string) =>
  statusResponse(method, milvusStatus(code, reason));

export class Rbac {
  private s: State = { users: [], roles: [], userRoles: {}, grants: [], groups: {} };
  private readonly file: string;

  constructor(stateDir: string) {
    this.file = join(stateDir, "rbac.json");
  }

  async load(): Promise<void> {
    const saved = await readJson<State>(this.file);
    if (saved) this.s = saved;
  }

  /** Calls answered here directly; the writes go through the WAL first (lite-apply.ts). */
  static answers(method: string): boolean {
    return RBAC_READS.has(method);
  }

  private users(): string[] {
    return [...BUILTIN_USERS, ...this.s.users];
  }

  private roles(): string[] {
    return [...BUILTIN_ROLES, ...this.s.roles];
  }

  private save(): Promise<void> {
    return writeJsonAtomic(this.file, this.s);
  }

  async call(method: string, body: Buffer): Promise<Buffer> {
    const req = decodeRequest<Record<string, unknown>>(method, body);
    switch (method) {
      case "ListCredUsers":
        return encodeResponse(method, { status: {}, usernames: this.users() });
      case "CreateCredential": {
        const name = String(req.username ?? "");
        if (!name) return refuse(method, 1100, "username should not be empty: invalid parameter");
        if (this.users().includes(name)) return refuse(method, 65535, `user already exists: ${name}`);
        this.s.users.push(name);
        await this.save();
        return ok(method);
      }
      case "UpdateCredential": {
        const name = String(req.username ?? "");
        if (!this.users().includes(name)) return refuse(method, 65535, `user not found: ${name}`);
        return ok(method);
      }
      case "DeleteCredential": {
        const name = String(req.username ?? "");
        if (name === "root") return refuse(method, 1100, "user root cannot be deleted: invalid parameter");
        this.s.users = this.s.users.filter((u) => u !== name);
        delete this.s.userRoles[name];
        await this.save();
        return ok(method);
      }
      case "CreateRole": {
        const name = String((req.entity as Entity | undefined)?.name ?? "");
        if (!name) return refuse(method, 1100, "role name should not be empty: invalid parameter");
        if (this.roles().includes(name)) return refuse(method, 65535, `role [name:"${name}"] already exists`);
        this.s.roles.push(name);
        await this.save();
        return ok(method);
      }
      case "DropRole": {
        const name = String(req.role_name ?? "");
        if (BUILTIN_ROLES.includes(name))
          return refuse(
            method,
            1100,
            `the role[${name}] is a default role, which can't be dropped: invalid parameter`,
          );
        if (!this.s.roles.includes(name))
          return refuse(
            method,
            65535,
            `not found the role, maybe the role isn't existed or internal system error`,
          );
        this.s.roles = this.s.roles.filter((r) => r !== name);
        for (const u of Object.keys(this.s.userRoles))
          this.s.userRoles[u] = (this.s.userRoles[u] ?? []).filter((r) => r !== name);
        this.s.grants = this.s.grants.filter((g) => g.role !== name);
        await this.save();
        return ok(method);
      }
      case "OperateUserRole": {
        const user = String(req.username ?? "");
        const role = String(req.role_name ?? "");
        if (!this.users().includes(user))
          return refuse(method, 65535, `not found the user, username: ${user}`);
        if (!this.roles().includes(role))
          return refuse(method, 65535, `not found the role, role name: ${role}`);
        const had = this.s.userRoles[user] ?? [];
        const remove = req.type === "RemoveUserFromRole";
        this.s.userRoles[user] = remove ? had.filter((r) => r !== role) : [...new Set([...had, role])];
        await this.save();
        return ok(method);
      }
      case "SelectRole": {
        const want = (req.role as Entity | undefined)?.name;
        const names = want ? this.roles().filter((r) => r === want) : this.roles();
        const withUsers = req.include_user_info === true;
        return encodeResponse(method, {
          status: {},
          results: names.map((r) => ({
            role: { name: r },
            users: withUsers
              ? Object.entries(this.s.userRoles)
                  .filter(([, rs]) => rs.includes(r))
                  .map(([u]) => ({ name: u }))
              : [],
          })),
        });
      }
      case "SelectUser": {
        const want = (req.user as Entity | undefined)?.name;
        const names = want ? this.users().filter((u) => u === want) : this.users();
        const withRoles = req.include_role_info === true;
        return encodeResponse(method, {
          status: {},
          results: names.map((u) => ({
            user: { name: u },
            roles: withRoles ? (this.s.userRoles[u] ?? []).map((r) => ({ name: r })) : [],
          })),
        });
      }
      case "OperatePrivilege":
      case "OperatePrivilegeV2": {
        const g = method === "OperatePrivilege" ? grantOf(req) : grantOfV2(req);
        if (!this.roles().includes(g.role))
          return refuse(method, 65535, `not found the role, role name: ${g.role}`);
        if (!g.privilege)
          return refuse(method, 1100, "privilege name should not be empty: invalid parameter");
        const same = (x: Grant) =>
          x.role === g.role &&
          x.objectType === g.objectType &&
          x.objectName === g.objectName &&
          x.db === g.db &&
          x.privilege === g.privilege;
        if (req.type === "Revoke") this.s.grants = this.s.grants.filter((x) => !same(x));
        else if (!this.s.grants.some(same)) this.s.grants.push(g);
        await this.save();
        return ok(method);
      }
      case "SelectGrant": {
        const e = (req.entity ?? {}) as GrantEntityReq;
        const role = e.role?.name ?? "";
        const entities = this.s.grants
          .filter(
            (g) =>
              g.role === role &&
              (!e.object?.name || g.objectType === e.object.name) &&
              (!e.object_name || g.objectName === e.object_name) &&
              (!e.db_name || g.db === e.db_name),
          )
          .map((g) => ({
            role: { name: g.role },
            object: { name: g.objectType },
            object_name: g.objectName,
            db_name: g.db,
            grantor: { user: { name: g.grantor }, privilege: { name: g.privilege } },
          }));
        return encodeResponse(method, { status: {}, entities });
      }
      case "CreatePrivilegeGroup": {
        const name = String(req.group_name ?? "");
        if (!name) return refuse(method, 1100, "privilege group name should not be empty: invalid parameter");
        if (name in this.s.groups) return refuse(method, 65535, `privilege group [${name}] already exists`);
        this.s.groups[name] = [];
        await this.save();
        return ok(method);
      }
      case "DropPrivilegeGroup": {
        const name = String(req.group_name ?? "");
        delete this.s.groups[name];
        await this.save();
        return ok(method);
      }
      case "ListPrivilegeGroups":
        return encodeResponse(method, {
          status: {},
          privilege_groups: Object.entries(this.s.groups).map(([group_name, ps]) => ({
            group_name,
            privileges: ps.map((name) => ({ name })),
          })),
        });
      case "OperatePrivilegeGroup": {
        const name = String(req.group_name ?? "");
        const had = this.s.groups[name];
        if (!had) return refuse(method, 65535, `there is no privilege group name [${name}] to operate`);
        const ps = ((req.privileges as Entity[] | undefined) ?? []).map((p) => p.name ?? "");
        this.s.groups[name] =
          req.type === "RemovePrivilegesFromGroup"
            ? had.filter((p) => !ps.includes(p))
            : [...new Set([...had, ...ps])];
        await this.save();
        return ok(method);
      }
      default:
        return refuse(method, 65535, `${method} is not supported by the local backend`);
    }
  }
}

/** A v1 grant, from the request's GrantEntity. */
function grantOf(req: Record<string, unknown>): Grant {
  const g = (req.entity ?? {}) as GrantEntityReq;
  return {
    role: g.role?.name ?? "",
    objectType: g.object?.name ?? "",
    objectName: g.object_name ?? "",
    db: g.db_name || "default",
    privilege: g.grantor?.privilege?.name ?? "",
    grantor: g.grantor?.user?.name || "root",
  };
}

/** A v2 grant names a database and a collection; it is listed on the collection level. */
function grantOfV2(req: Record<string, unknown>): Grant {
  const grantor = (req.grantor ?? {}) as { user?: Entity; privilege?: Entity };
  return {
    role: (req.role as Entity | undefined)?.name ?? "",
    objectType: "Collection",
    objectName: String(req.collection_name || "*"),
    db: String(req.db_name || "default"),
    privilege: grantor.privilege?.name ?? "",
    grantor: grantor.user?.name || "root",
  };
}
