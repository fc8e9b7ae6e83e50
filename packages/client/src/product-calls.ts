// product-calls: organizations, members, projects and their members, groups, custom roles,
// invitations, resources and raw relationships — each a typed call of the generated document
// through openapi-fetch (paths, path parameters, bodies and queries checked by the compiler).
// Product calls need the manage scope and an X-Actor (the client's or session's `actor`, or
// the call's); raw relationships need the admin scope.
import type { Client } from "openapi-fetch";
import type { paths } from "./openapi.js";
import type { CallOptions } from "./transport.js";
import type { BodyOf, QueryOf } from "./types.js";

/** Init is what each call hands to openapi-fetch: the client's transport as its fetch. */
export interface Init {
  fetch: (request: Request) => Promise<Response>;
}

/** Fetched is openapi-fetch's answer: data, or an error, and the response. */
export interface Fetched<D> {
  data?: D;
  error?: unknown;
  response: Response;
}

/** Written: every write's answer carries the zedToken that makes it visible. */
export type Written<D> = D & { zedToken?: string };

/** ProductCaller runs a call: reads may be retried; a write's zedToken is kept (read-your-writes). */
export interface ProductCaller {
  readonly api: Client<paths>;
  read<D>(run: (init: Init) => Promise<Fetched<D>>, call?: CallOptions): Promise<D>;
  write<D>(run: (init: Init) => Promise<Fetched<D>>, call?: CallOptions): Promise<Written<D>>;
}

type Q<P extends keyof paths> = QueryOf<P, "get">;

export function organizationCalls(p: ProductCaller) {
  const { api } = p;
  return {
    create: (body: BodyOf<"/v1/orgs", "post">, call?: CallOptions) => p.write((init) => api.POST("/v1/orgs", { body, ...init }), call),
    get: (org: string, call?: CallOptions) => p.read((init) => api.GET("/v1/orgs/{org}", { params: { path: { org } }, ...init }), call),
    update: (org: string, body: BodyOf<"/v1/orgs/{org}", "patch">, call?: CallOptions) => p.write((init) => api.PATCH("/v1/orgs/{org}", { params: { path: { org } }, body, ...init }), call),
    delete: (org: string, call?: CallOptions) => p.write((init) => api.DELETE("/v1/orgs/{org}", { params: { path: { org } }, ...init }), call),
    access: (org: string, query?: Q<"/v1/orgs/{org}/access">, call?: CallOptions) => p.read((init) => api.GET("/v1/orgs/{org}/access", { params: { path: { org }, query }, ...init }), call),
    members: {
      list: (org: string, query?: Q<"/v1/orgs/{org}/members">, call?: CallOptions) => p.read((init) => api.GET("/v1/orgs/{org}/members", { params: { path: { org }, query }, ...init }), call),
      set: (org: string, user: string, body: BodyOf<"/v1/orgs/{org}/members/{user}", "put">, call?: CallOptions) =>
        p.write((init) => api.PUT("/v1/orgs/{org}/members/{user}", { params: { path: { org, user } }, body, ...init }), call),
      remove: (org: string, user: string, call?: CallOptions) => p.write((init) => api.DELETE("/v1/orgs/{org}/members/{user}", { params: { path: { org, user } }, ...init }), call),
    },
    groups: {
      create: (org: string, body: BodyOf<"/v1/orgs/{org}/groups", "post">, call?: CallOptions) => p.write((init) => api.POST("/v1/orgs/{org}/groups", { params: { path: { org } }, body, ...init }), call),
      list: (org: string, query?: Q<"/v1/orgs/{org}/groups">, call?: CallOptions) => p.read((init) => api.GET("/v1/orgs/{org}/groups", { params: { path: { org }, query }, ...init }), call),
    },
    roles: {
      create: (org: string, body: BodyOf<"/v1/orgs/{org}/roles", "post">, call?: CallOptions) => p.write((init) => api.POST("/v1/orgs/{org}/roles", { params: { path: { org } }, body, ...init }), call),
      list: (org: string, query?: Q<"/v1/orgs/{org}/roles">, call?: CallOptions) => p.read((init) => api.GET("/v1/orgs/{org}/roles", { params: { path: { org }, query }, ...init }), call),
    },
    invitations: {
      create: (org: string, body: BodyOf<"/v1/orgs/{org}/invitations", "post">, call?: CallOptions) =>
        p.write((init) => api.POST("/v1/orgs/{org}/invitations", { params: { path: { org } }, body, ...init }), call),
      list: (org: string, query?: Q<"/v1/orgs/{org}/invitations">, call?: CallOptions) => p.read((init) => api.GET("/v1/orgs/{org}/invitations", { params: { path: { org }, query }, ...init }), call),
    },
  };
}

export function projectCalls(p: ProductCaller) {
  const { api } = p;
  return {
    create: (body: BodyOf<"/v1/projects", "post">, call?: CallOptions) => p.write((init) => api.POST("/v1/projects", { body, ...init }), call),
    get: (project: string, call?: CallOptions) => p.read((init) => api.GET("/v1/projects/{project}", { params: { path: { project } }, ...init }), call),
    delete: (project: string, call?: CallOptions) => p.write((init) => api.DELETE("/v1/projects/{project}", { params: { path: { project } }, ...init }), call),
    /** Every project permission the subject holds, in one call. */
    permissions: (project: string, subject: string, call?: CallOptions) => p.read((init) => api.GET("/v1/projects/{project}/permissions/{subject}", { params: { path: { project, subject } }, ...init }), call),
    access: (project: string, query?: Q<"/v1/projects/{project}/access">, call?: CallOptions) => p.read((init) => api.GET("/v1/projects/{project}/access", { params: { path: { project }, query }, ...init }), call),
    members: {
      list: (project: string, query?: Q<"/v1/projects/{project}/members">, call?: CallOptions) => p.read((init) => api.GET("/v1/projects/{project}/members", { params: { path: { project }, query }, ...init }), call),
      /** Give a user (`user:bob`) or a group (`group:eng#member`) a role on the project. */
      set: (project: string, subject: string, body: BodyOf<"/v1/projects/{project}/members/{subject}", "put">, call?: CallOptions) =>
        p.write((init) => api.PUT("/v1/projects/{project}/members/{subject}", { params: { path: { project, subject } }, body, ...init }), call),
      remove: (project: string, subject: string, call?: CallOptions) => p.write((init) => api.DELETE("/v1/projects/{project}/members/{subject}", { params: { path: { project, subject } }, ...init }), call),
    },
    invitations: {
      create: (project: string, body: BodyOf<"/v1/projects/{project}/invitations", "post">, call?: CallOptions) =>
        p.write((init) => api.POST("/v1/projects/{project}/invitations", { params: { path: { project } }, body, ...init }), call),
      list: (project: string, query?: Q<"/v1/projects/{project}/invitations">, call?: CallOptions) => p.read((init) => api.GET("/v1/projects/{project}/invitations", { params: { path: { project }, query }, ...init }), call),
    },
  };
}

export function groupCalls(p: ProductCaller) {
  const { api } = p;
  return {
    delete: (group: string, call?: CallOptions) => p.write((init) => api.DELETE("/v1/groups/{group}", { params: { path: { group } }, ...init }), call),
    members: {
      list: (group: string, query?: Q<"/v1/groups/{group}/members">, call?: CallOptions) => p.read((init) => api.GET("/v1/groups/{group}/members", { params: { path: { group }, query }, ...init }), call),
      /** Add a user (`user:bob`, an organization member) or a nested group (`group:eng#member`). */
      add: (group: string, subject: string, call?: CallOptions) => p.write((init) => api.PUT("/v1/groups/{group}/members/{subject}", { params: { path: { group, subject } }, ...init }), call),
      remove: (group: string, subject: string, call?: CallOptions) => p.write((init) => api.DELETE("/v1/groups/{group}/members/{subject}", { params: { path: { group, subject } }, ...init }), call),
    },
  };
}

export function roleCalls(p: ProductCaller) {
  const { api } = p;
  return {
    get: (role: string, call?: CallOptions) => p.read((init) => api.GET("/v1/roles/{role}", { params: { path: { role } }, ...init }), call),
    update: (role: string, body: BodyOf<"/v1/roles/{role}", "put">, call?: CallOptions) => p.write((init) => api.PUT("/v1/roles/{role}", { params: { path: { role } }, body, ...init }), call),
    delete: (role: string, call?: CallOptions) => p.write((init) => api.DELETE("/v1/roles/{role}", { params: { path: { role } }, ...init }), call),
  };
}

export function invitationCalls(p: ProductCaller) {
  const { api } = p;
  return {
    /** The actor's own pending invitations. */
    mine: (call?: CallOptions) => p.read((init) => api.GET("/v1/invitations", { ...init }), call),
    accept: (id: string, call?: CallOptions) => p.write((init) => api.POST("/v1/invitations/{id}/accept", { params: { path: { id } }, ...init }), call),
    decline: (id: string, call?: CallOptions) => p.write((init) => api.POST("/v1/invitations/{id}/decline", { params: { path: { id } }, ...init }), call),
    revoke: (id: string, call?: CallOptions) => p.write((init) => api.DELETE("/v1/invitations/{id}", { params: { path: { id } }, ...init }), call),
  };
}

export function resourceCalls(p: ProductCaller) {
  const { api } = p;
  return {
    /** Register a resource in a project (201 when new, 200 when already there). */
    register: (resource: string, body: BodyOf<"/v1/resources/{resource}", "put">, call?: CallOptions) => p.write((init) => api.PUT("/v1/resources/{resource}", { params: { path: { resource } }, body, ...init }), call),
    delete: (resource: string, call?: CallOptions) => p.write((init) => api.DELETE("/v1/resources/{resource}", { params: { path: { resource } }, ...init }), call),
    /** Share directly with a user or group: role viewer or editor. */
    share: (resource: string, subject: string, body: BodyOf<"/v1/resources/{resource}/members/{subject}", "put">, call?: CallOptions) =>
      p.write((init) => api.PUT("/v1/resources/{resource}/members/{subject}", { params: { path: { resource, subject } }, body, ...init }), call),
    unshare: (resource: string, subject: string, call?: CallOptions) => p.write((init) => api.DELETE("/v1/resources/{resource}/members/{subject}", { params: { path: { resource, subject } }, ...init }), call),
    access: (resource: string, query?: Q<"/v1/resources/{resource}/access">, call?: CallOptions) => p.read((init) => api.GET("/v1/resources/{resource}/access", { params: { path: { resource }, query }, ...init }), call),
  };
}

/** relationshipCalls: the raw relationship API (admin scope). */
export function relationshipCalls(p: ProductCaller, freshness: () => string | undefined) {
  const { api } = p;
  return {
    /** Read relationships; at least as fresh as this scope's last write unless the query says otherwise. */
    read: (query: Q<"/v1/relationships">, call?: CallOptions) => {
      const token = freshness();
      const fresh = token && !query.consistency && !query.atLeastAsFresh ? { ...query, atLeastAsFresh: token } : query;
      return p.read((init) => api.GET("/v1/relationships", { params: { query: fresh }, ...init }), call);
    },
    write: (body: BodyOf<"/v1/relationships", "post">, call?: CallOptions) => p.write((init) => api.POST("/v1/relationships", { body, ...init }), call),
    delete: (body: BodyOf<"/v1/relationships", "delete">, call?: CallOptions) => p.write((init) => api.DELETE("/v1/relationships", { body, ...init }), call),
  };
}
