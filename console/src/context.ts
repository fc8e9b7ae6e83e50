// context: the signed-in session, shared by every view; `api` calls the server as its actor.
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { call, type Json, type Method } from "./api";
import type { Session } from "./session";

export const SessionContext = createContext<Session | undefined>(undefined);

export interface Console {
  session: Session;
  api(method: Method, path: string, body?: unknown): Promise<Json>;
}

export function useConsole(): Console {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useConsole outside a signed-in session");
  return { session, api: (method, path, body) => call(session, method, path, body) };
}
