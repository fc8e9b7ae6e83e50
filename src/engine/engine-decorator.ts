// EngineDecorator passes every Engine call through to an inner engine; the check path's
// cache and coalescer extend it and override only the calls they change.
import type { CheckItem, Consistency, Engine, Precondition, RelationshipFilter, RelationshipUpdate } from "./engine.js";

export class EngineDecorator implements Engine {
  constructor(protected readonly inner: Engine) {}

  check(item: CheckItem, consistency?: Consistency) {
    return this.inner.check(item, consistency);
  }
  checkFromCache(item: CheckItem, consistency?: Consistency) {
    return this.inner.checkFromCache?.(item, consistency);
  }
  checkBulk(items: CheckItem[], consistency?: Consistency) {
    return this.inner.checkBulk(items, consistency);
  }
  explain(item: CheckItem, consistency?: Consistency) {
    return this.inner.explain(item, consistency);
  }
  expand(...args: Parameters<Engine["expand"]>) {
    return this.inner.expand(...args);
  }
  lookupResources(...args: Parameters<Engine["lookupResources"]>) {
    return this.inner.lookupResources(...args);
  }
  lookupSubjects(...args: Parameters<Engine["lookupSubjects"]>) {
    return this.inner.lookupSubjects(...args);
  }
  readRelationships(...args: Parameters<Engine["readRelationships"]>) {
    return this.inner.readRelationships(...args);
  }
  write(updates: RelationshipUpdate[], preconditions?: Precondition[]) {
    return this.inner.write(updates, preconditions);
  }
  deleteByFilter(filter: RelationshipFilter, preconditions?: Precondition[]) {
    return this.inner.deleteByFilter(filter, preconditions);
  }
  readSchema() {
    return this.inner.readSchema();
  }
  writeSchema(schema: string) {
    return this.inner.writeSchema(schema);
  }
  watch(...args: Parameters<Engine["watch"]>) {
    return this.inner.watch(...args);
  }
  ready() {
    return this.inner.ready();
  }
  watchAvailability() {
    return this.inner.watchAvailability();
  }
  close() {
    return this.inner.close();
  }
}
