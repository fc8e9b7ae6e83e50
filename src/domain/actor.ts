// Actor is the user on whose behalf a product operation runs (X-Actor, or a JWT's subject).
export interface Actor {
  userId: string;
  /** Verified e-mail of the actor, for accepting e-mail invitations. */
  email?: string;
}
