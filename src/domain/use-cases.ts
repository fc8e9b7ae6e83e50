// use-cases builds every use case of the domain from the narrow parts it needs, once, for the
// composition root (src/compose.ts) to hand to the HTTP routes, the gRPC endpoint and the CLI.
// Routes receive these and only parse, call one and map its answer.
import type { Engine } from "../engine/engine.js";
import type { Store } from "../store/store.js";
import { fullyConsistent } from "../engine/consistency-scope.js";
import type { KeyedMutex } from "./keyed-mutex.js";
import { createExplainPermission } from "./access/explain-permission.js";
import { createCheckReadiness } from "./health/check-readiness.js";
import { createCheckBulkPermissions } from "./permissions/check-bulk-permissions.js";
import { createCheckPermission } from "./permissions/check-permission.js";
import { createLookupResources } from "./permissions/lookup-resources.js";
import { createLookupSubjects } from "./permissions/lookup-subjects.js";
import { createDeleteRelationships } from "./relationships/delete-relationships.js";
import { createReadRelationships } from "./relationships/read-relationships.js";
import { createWriteRelationships } from "./relationships/write-relationships.js";
import { createReadSchema } from "./schema/read-schema.js";
import { createValidateSchema } from "./schema/validate-schema.js";
import { createWriteSchema } from "./schema/write-schema.js";
import { createListOrgAccess } from "./access/list-org-access.js";
import { createListProjectAccess } from "./access/list-project-access.js";
import { createListResourceAccess } from "./access/list-resource-access.js";
import { createListAuditEntries } from "./audit/list-audit-entries.js";
import { createListContainerAccess } from "./access/list-container-access.js";
import { createCreateFolder } from "./content/create-folder.js";
import { createCreateWorkspace } from "./content/create-workspace.js";
import { createDeleteFolder } from "./content/delete-folder.js";
import { createDeleteResource } from "./content/delete-resource.js";
import { createDeleteWorkspace } from "./content/delete-workspace.js";
import { createGetContainer } from "./content/get-container.js";
import { createListWorkspaces } from "./content/list-workspaces.js";
import { createPushContent } from "./content/push-content.js";
import { createShareContent } from "./content/share-content.js";
import { createUnpushContent } from "./content/unpush-content.js";
import { createUnshareContent } from "./content/unshare-content.js";
import { createUpdateFolder } from "./content/update-folder.js";
import { createRegisterResource } from "./content/register-resource.js";
import { createShareResource } from "./content/share-resource.js";
import { createUnshareResource } from "./content/unshare-resource.js";
import { createAddGroupMember } from "./groups/add-group-member.js";
import { createCreateGroup } from "./groups/create-group.js";
import { createDeleteGroup } from "./groups/delete-group.js";
import { createListGroupMembers } from "./groups/list-group-members.js";
import { createListGroups } from "./groups/list-groups.js";
import { createRemoveGroupMember } from "./groups/remove-group-member.js";
import { createAcceptInvitation } from "./invitations/accept-invitation.js";
import { createCreateOrgInvitations } from "./invitations/create-org-invitations.js";
import { createCreateProjectInvitations } from "./invitations/create-project-invitations.js";
import { createDeclineInvitation } from "./invitations/decline-invitation.js";
import { createListInvitations } from "./invitations/list-invitations.js";
import { createListReceivedInvitations } from "./invitations/list-received-invitations.js";
import { createRevokeInvitation } from "./invitations/revoke-invitation.js";
import { createCreateOrganization } from "./organizations/create-organization.js";
import { createDeleteOrganization } from "./organizations/delete-organization.js";
import { createGetOrganization } from "./organizations/get-organization.js";
import { createListOrgMembers } from "./organizations/list-org-members.js";
import { createRemoveOrgMember } from "./organizations/remove-org-member.js";
import { createSetOrgMember } from "./organizations/set-org-member.js";
import { createUpdateOrganization } from "./organizations/update-organization.js";
import { createGetUserPlan } from "./plans/get-user-plan.js";
import { createSetUserPlan } from "./plans/set-user-plan.js";
import { createCreateProject } from "./projects/create-project.js";
import { createDeleteProject } from "./projects/delete-project.js";
import { createGetProject } from "./projects/get-project.js";
import { createGrantProjectRole } from "./projects/grant-project-role.js";
import { createListProjectMembers } from "./projects/list-project-members.js";
import { createReadProjectPermissions } from "./projects/read-project-permissions.js";
import { createRemoveProjectMember } from "./projects/remove-project-member.js";
import { createWatchRelationships } from "./relationships/watch-relationships.js";
import { createCreateCustomRole } from "./roles/create-custom-role.js";
import { createDeleteCustomRole } from "./roles/delete-custom-role.js";
import { createGetCustomRole } from "./roles/get-custom-role.js";
import { createListCustomRoles } from "./roles/list-custom-roles.js";
import { createUpdateCustomRole } from "./roles/update-custom-role.js";
import { createListOrgFeatures } from "./organizations/list-org-features.js";
import { createSetOrgFeatures } from "./organizations/set-org-features.js";
import { createUpdateProject } from "./projects/update-project.js";
import { createSetMemberAccess } from "./organizations/set-member-access.js";

/** DomainDeps is what the use cases are built from. */
export interface DomainDeps {
  /** The engine as use cases see it (audited and instrumented, behind the check cache). */
  engine: Engine;
  store: Store;
  /** One lock per organization or project (`organization:<id>`, `project:<id>`), shared by every use case. */
  locks: KeyedMutex;
  /** The clock of invitation expiry and audit times. */
  now: () => Date;
  /** How long invitations stay open. */
  invitationTtlMs: number;
}

export type UseCases = ReturnType<typeof createUseCases>;

export function createUseCases(deps: DomainDeps) {
  const product = productUseCases(deps);
  // Replicas sharing a store (remote mode): a product call reads the engine fully consistent, so
  // a change made through any replica is seen by the next call through any other (rule 11) —
  // the caller of a product endpoint has no zedToken to hand over. Product calls are few; the
  // permission queries below keep their own consistency.
  const acrossReplicas = deps.store.runExclusive ? fullyConsistentCalls(product) : product;
  return { ...coreUseCases(deps), ...acrossReplicas };
}

/** coreUseCases: the permission queries, raw relationships and schema, health. */
function coreUseCases(deps: DomainDeps) {
  return {
    checkReadiness: createCheckReadiness(deps),
    checkPermission: createCheckPermission(deps),
    checkBulkPermissions: createCheckBulkPermissions(deps),
    lookupResources: createLookupResources(deps),
    lookupSubjects: createLookupSubjects(deps),
    explainPermission: createExplainPermission(deps),
    readRelationships: createReadRelationships(deps),
    writeRelationships: createWriteRelationships(deps),
    deleteRelationships: createDeleteRelationships(deps),
    readSchema: createReadSchema(deps),
    writeSchema: createWriteSchema(deps),
    validateSchema: createValidateSchema(),
    watchRelationships: createWatchRelationships(deps),
  };
}

/** productUseCases: organizations, projects, groups, roles, content, invitations, plans, access, audit. */
function productUseCases(deps: DomainDeps) {
  return {
    listOrgAccess: createListOrgAccess(deps),
    listProjectAccess: createListProjectAccess(deps),
    listResourceAccess: createListResourceAccess(deps),
    listAuditEntries: createListAuditEntries(deps),
    deleteResource: createDeleteResource(deps),
    registerResource: createRegisterResource(deps),
    shareResource: createShareResource(deps),
    unshareResource: createUnshareResource(deps),
    // Content (rule 12): workspaces, folders, shares, pushes.
    createWorkspace: createCreateWorkspace(deps),
    listWorkspaces: createListWorkspaces(deps),
    createFolder: createCreateFolder(deps),
    updateFolder: createUpdateFolder(deps),
    getContainer: createGetContainer(deps),
    shareContent: createShareContent(deps),
    unshareContent: createUnshareContent(deps),
    pushContent: createPushContent(deps),
    unpushContent: createUnpushContent(deps),
    deleteWorkspace: createDeleteWorkspace(deps),
    deleteFolder: createDeleteFolder(deps),
    listContainerAccess: createListContainerAccess(deps),
    addGroupMember: createAddGroupMember(deps),
    createGroup: createCreateGroup(deps),
    deleteGroup: createDeleteGroup(deps),
    listGroupMembers: createListGroupMembers(deps),
    listGroups: createListGroups(deps),
    removeGroupMember: createRemoveGroupMember(deps),
    acceptInvitation: createAcceptInvitation(deps),
    createOrgInvitations: createCreateOrgInvitations(deps),
    createProjectInvitations: createCreateProjectInvitations(deps),
    declineInvitation: createDeclineInvitation(deps),
    listInvitations: createListInvitations(deps),
    listReceivedInvitations: createListReceivedInvitations(deps),
    revokeInvitation: createRevokeInvitation(deps),
    createOrganization: createCreateOrganization(deps),
    deleteOrganization: createDeleteOrganization(deps),
    getOrganization: createGetOrganization(deps),
    listOrgMembers: createListOrgMembers(deps),
    removeOrgMember: createRemoveOrgMember(deps),
    setOrgMember: createSetOrgMember(deps),
    updateOrganization: createUpdateOrganization(deps),
    getUserPlan: createGetUserPlan(deps),
    setUserPlan: createSetUserPlan(deps),
    createProject: createCreateProject(deps),
    deleteProject: createDeleteProject(deps),
    getProject: createGetProject(deps),
    grantProjectRole: createGrantProjectRole(deps),
    listProjectMembers: createListProjectMembers(deps),
    readProjectPermissions: createReadProjectPermissions(deps),
    removeProjectMember: createRemoveProjectMember(deps),
    createCustomRole: createCreateCustomRole(deps),
    deleteCustomRole: createDeleteCustomRole(deps),
    getCustomRole: createGetCustomRole(deps),
    listCustomRoles: createListCustomRoles(deps),
    updateCustomRole: createUpdateCustomRole(deps),
    listOrgFeatures: createListOrgFeatures(deps),
    setOrgFeatures: createSetOrgFeatures(deps),
    updateProject: createUpdateProject(deps),
    setMemberAccess: createSetMemberAccess(deps),
  };
}

type UseCase = { execute(...args: never[]): unknown };

/** fullyConsistentCalls runs every use case's execute inside fullyConsistent (engine/consistency-scope.ts). */
function fullyConsistentCalls<T extends Record<string, UseCase>>(useCases: T): T {
  const wrapped: Record<string, UseCase> = {};
  for (const [name, useCase] of Object.entries(useCases)) {
    const execute = useCase.execute.bind(useCase) as (...args: unknown[]) => unknown;
    wrapped[name] = { ...useCase, execute: (...args: unknown[]) => fullyConsistent(async () => execute(...args)) };
  }
  return wrapped as T;
}
