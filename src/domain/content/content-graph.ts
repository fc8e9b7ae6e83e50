// contentGraph reads the content structure of rule 12 from the engine: which project a workspace
// or folder belongs to (`<type>:<id>#project`), where a folder or resource lives (`#parent`),
// the chain of folders above an object and the tree below a container. Structure lives only in
// the engine; these reads are what the content use cases decide on.
import type { Precondition, Relationship } from "../../engine/engine.js";
import { invalidParent, invalidRole, notFound } from "../errors.js";
import { RESOURCE_ROLES, ref, type ResourceRole } from "../model.js";
import { readAll, readOne, type GraphReader } from "../organizations/organization-graph.js";

export type ContainerKind = "workspace" | "folder";

/** ContainerRef names a workspace or a folder: what holds folders and resources. */
export interface ContainerRef {
  type: ContainerKind;
  id: string;
}

/** ContentRef names anything of a project's content tree (a container or a resource). */
export interface ContentRef {
  type: ContainerKind | "resource";
  id: string;
}

/**
 * MAX_FOLDER_DEPTH is how many folder levels below a workspace Accord supports: each level is one
 * engine dispatch, and checks and lookups near SpiceDB's dispatch depth limit (50) fail
 * (measured in docs/schema-content.md); deeper creates and moves are 422 invalid_parent.
 */
export const MAX_FOLDER_DEPTH = 24;

/** CONTAINER_PERMISSIONS are the permissions of schema.zed's workspace and folder definitions. */
export const CONTAINER_PERMISSIONS = ["view", "comment", "edit", "create", "create_folder", "delete", "manage_access"] as const;

/** CONTENT_ROLES are the grants a workspace, folder or resource takes (rule 12). */
export const CONTENT_ROLES = RESOURCE_ROLES;

export const formatContent = (item: ContentRef) => `${item.type}:${item.id}`;

/** parseContentRole reads viewer or editor; anything else is 422 invalid_role. */
export function parseContentRole(role: string, on: ContentRef["type"]): ResourceRole {
  if ((CONTENT_ROLES as readonly string[]).includes(role)) return role as ResourceRole;
  throw invalidRole(`role must be one of ${CONTENT_ROLES.join(", ")} on a ${on}; got ${JSON.stringify(role.slice(0, 140))}`);
}

/** readContentProject returns the project a workspace, folder or resource belongs to (undefined: it does not exist). */
export async function readContentProject(engine: GraphReader, item: ContentRef): Promise<string | undefined> {
  const found = await readOne(engine, { resourceType: item.type, resourceId: item.id, relation: "project" });
  return found.relationship?.subject.id;
}

/** requireContent is readContentProject that reports an unknown object as 404 not_found. */
export async function requireContent(engine: GraphReader, item: ContentRef): Promise<string> {
  const projectId = await readContentProject(engine, item);
  if (!projectId) throw notFound(item.type === "resource" ? `resource ${item.id} is not registered in any project` : `${item.type} ${item.id} does not exist`);
  return projectId;
}

/** contentAnchor is the precondition that the object still exists in its project when a write lands. */
export function contentAnchor(item: ContentRef, projectId: string): Precondition {
  return { operation: "must_exist", filter: { resourceType: item.type, resourceId: item.id, relation: "project", subject: { type: "project", id: projectId } } };
}

/** readParentLink returns the `parent` relationship of a folder or resource (none: at the project's root). */
export async function readParentLink(engine: GraphReader, item: { type: "folder" | "resource"; id: string }): Promise<Relationship | undefined> {
  const rels = await readAll(engine, { resourceType: item.type, resourceId: item.id, relation: "parent" });
  return rels[0];
}

const asContainer = (r: Relationship): ContainerRef | undefined =>
  r.subject.type === "workspace" || r.subject.type === "folder" ? { type: r.subject.type, id: r.subject.id } : undefined;

/**
 * ancestry lists the containers from `start` up to its workspace: [start, its parent, …,
 * workspace]. A chain longer than the supported depth (possible only through raw writes, even a
 * loop) is reported as too deep rather than followed.
 */
export async function ancestry(engine: GraphReader, start: ContainerRef): Promise<ContainerRef[]> {
  const chain: ContainerRef[] = [start];
  let current = start;
  while (current.type === "folder") {
    const link = await readParentLink(engine, { type: "folder", id: current.id });
    const parent = link && asContainer(link);
    if (!parent) break;
    chain.push(parent);
    if (chain.length > MAX_FOLDER_DEPTH + 1) throw invalidParent(`folder ${start.id} is nested deeper than the ${MAX_FOLDER_DEPTH} supported folder levels`);
    current = parent;
  }
  return chain;
}

/** folderLevel is how many folders a chain from ancestry holds: the level of its first container (a workspace is 0). */
export const folderLevel = (chain: ContainerRef[]) => chain.filter((c) => c.type === "folder").length;

/** readChildren lists the folders and resources whose parent is the container. */
export async function readChildren(engine: GraphReader, container: ContainerRef): Promise<{ folders: string[]; resources: string[] }> {
  const subject = { type: container.type, id: container.id };
  const [folders, resources] = await Promise.all([
    readAll(engine, { resourceType: "folder", relation: "parent", subject }),
    readAll(engine, { resourceType: "resource", relation: "parent", subject }),
  ]);
  return { folders: folders.map((r) => r.resource.id), resources: resources.map((r) => r.resource.id) };
}

export interface Subtree {
  /** Every folder below the container, with its level relative to it (a child is 1). */
  folders: Array<{ id: string; level: number }>;
  /** Every resource below the container (in it or in any folder below). */
  resources: string[];
}

/** readSubtree walks `parent` down from the container, level by level. */
export async function readSubtree(engine: GraphReader, root: ContainerRef): Promise<Subtree> {
  const tree: Subtree = { folders: [], resources: [] };
  const seen = new Set<string>([`${root.type}:${root.id}`]);
  let level: ContainerRef[] = [root];
  for (let depth = 1; level.length > 0; depth++) {
    const children = await Promise.all(level.map((c) => readChildren(engine, c)));
    const next: ContainerRef[] = [];
    for (const child of children) {
      tree.resources.push(...child.resources);
      for (const id of child.folders) {
        // A loop can exist only through raw writes; it is walked once.
        if (seen.has(`folder:${id}`)) continue;
        seen.add(`folder:${id}`);
        tree.folders.push({ id, level: depth });
        next.push({ type: "folder", id });
      }
    }
    level = next;
  }
  tree.resources = [...new Set(tree.resources)];
  return tree;
}

/** subtreeHeight is how many folder levels lie below the container (0: none). */
export const subtreeHeight = (tree: Subtree) => tree.folders.reduce((max, f) => Math.max(max, f.level), 0);

/** readProjectContent lists the ids of a project's workspaces, folders and resources. */
export async function readProjectContent(engine: GraphReader, projectId: string): Promise<Record<ContentRef["type"], Set<string>>> {
  const subject = { type: "project", id: projectId };
  const [workspaces, folders, resources] = await Promise.all(
    (["workspace", "folder", "resource"] as const).map((resourceType) => readAll(engine, { resourceType, relation: "project", subject })),
  );
  const ids = (rels: Relationship[]) => new Set(rels.map((r) => r.resource.id));
  return { workspace: ids(workspaces!), folder: ids(folders!), resource: ids(resources!) };
}

export const contentRef = (item: ContentRef) => ref(item.type, item.id);
