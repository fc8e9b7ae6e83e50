// problem-text: a one-line headline for an API failure, so the reader knows at a glance what
// happened; the server's own detail is always shown under it, word for word.
import { ApiError } from "./api";

export function headline(err: unknown): string {
  if (!(err instanceof ApiError)) return "Something went wrong";
  const detail = err.detail.toLowerCase();
  if (err.code === "forbidden") {
    // Rule 3: "manager can't touch admin", and one level up "admin can't touch owner".
    if (/manager cannot .*admin/.test(detail) || /lacks manage_admins/.test(detail)) return "Refused (403): a manager can't grant, change or remove an admin";
    if (/lacks manage_owners/.test(detail)) return "Refused (403): only an owner can grant, change or remove an owner";
    if (/lacks the '(\w+)' scope/.test(detail)) return `Refused (403): this API key lacks the '${/lacks the '(\w+)' scope/.exec(detail)![1]}' scope`;
    return "Refused (403): you are not allowed to do this";
  }
  switch (err.code) {
    case "network":
      return "The server could not be reached";
    case "unauthenticated":
      return "Not signed in (401): the API key was not accepted";
    case "invalid_request":
      return err.field ? `Invalid input (400) in ${err.field}` : "Invalid input (400)";
    case "not_found":
      return "Not found (404)";
    case "plan_required":
      return "Refused (403): the owner's plan does not allow this";
    case "already_exists":
      return "Already exists (409)";
    case "already_member":
      return "Already a member (409)";
    case "invitation_pending":
      return "An invitation is already pending (409)";
    case "seat_limit_reached":
      return "Seat limit reached (409)";
    case "precondition_failed":
      return "Refused (409): the change would break a rule";
    case "not_org_member":
      return "Not an organization member (422)";
    case "not_in_organization":
      return "Not a project of this organization (422)";
    case "invalid_scope":
      return err.field ? `Invalid scope (422) in ${err.field}` : "Invalid scope (422)";
    case "groups_not_allowed":
      return "Groups are not allowed here (422)";
    case "invalid_role":
      return "Invalid role (422)";
    case "invalid_parent":
      return "Refused (422): it cannot go there";
    case "throttled":
      return "Too many requests (429): try again in a moment";
    default:
      return `${err.title || "Error"} (${err.status})`;
  }
}
