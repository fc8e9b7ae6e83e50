// zed-tokens keeps the zedToken of the last write a scope (a client, or a session of it) made,
// so its later checks and lookups ask for an answer at least as fresh — read-your-writes even
// when the next call lands on another Accord replica.
// NOTE: zedTokens of a PostgreSQL-backed SpiceDB are not totally ordered, so tokens are never
// compared: the newest is the one the last write returned.

export class ZedTokens {
  private latest: string | undefined;

  constructor(
    private readonly parent?: ZedTokens,
    seed?: string,
  ) {
    this.latest = seed;
  }

  /** current is this scope's last write's token, else its parent's. */
  get current(): string | undefined {
    return this.latest ?? this.parent?.current;
  }

  /** observe records a write's token here and in every enclosing scope (they have seen it too). */
  observe(token: string): void {
    this.latest = token;
    this.parent?.observe(token);
  }
}
