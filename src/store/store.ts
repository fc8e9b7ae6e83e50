// Store is the port for app state that SpiceDB does not hold: names and settings of product
// objects (and, in later versions, invitations, plans and audit entries). Structure —who
// belongs where— lives in the engine only. Two implementations satisfy it: SQLite (embedded,
// under ACCORD_DATA_DIR) and PostgreSQL (remote mode).

export type ObjectKind = "organization" | "project" | "group" | "role" | "resource";

export interface ObjectRecord {
  kind: ObjectKind;
  id: string;
  name?: string;
  /** Organization settings: members plus pending invitations may not exceed it. */
  seatLimit?: number;
  createdAt: Date;
}

export interface Store {
  getObject(kind: ObjectKind, id: string): Promise<ObjectRecord | undefined>;
  getObjects(kind: ObjectKind, ids: string[]): Promise<Map<string, ObjectRecord>>;
  /** putObject inserts or replaces the record. */
  putObject(record: ObjectRecord): Promise<void>;
  deleteObject(kind: ObjectKind, id: string): Promise<void>;
  close(): Promise<void>;
}
