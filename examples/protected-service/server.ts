// protected-service: a small Express service whose documents are protected by Accord. Each route
// names the permission it needs; requirePermission asks Accord (checks of concurrent requests
// share one bulk call) and answers 403 problem+json on deny, 503 when Accord gives no decision.
//
//   ACCORD_URL=http://127.0.0.1:8080 ACCORD_KEY=<a key with the check scope> PORT=3000 npx tsx server.ts
import express, { type Request } from "express";
import { createAccordClient } from "@accord/client";
import { requirePermission } from "@accord/client/express";

const accord = createAccordClient({ baseUrl: process.env.ACCORD_URL ?? "http://127.0.0.1:8080", apiKey: process.env.ACCORD_KEY });

// Who is asking. NOTE: your authentication decides this (a session, a verified JWT); the X-User
// header stands in for it here and must never be trusted from the outside in a real service.
const user = (req: Request) => (req.get("x-user") ? `user:${req.get("x-user")}` : undefined);
const document = (req: Request) => `resource:${req.params.id}`;

const app = express();
app.use(express.json());

app.get("/documents/:id", requirePermission({ client: accord, resource: document, permission: "view", subject: user }), (req, res) => {
  res.json({ id: req.params.id, text: `the contents of ${req.params.id}`, decision: req.accord });
});

app.put("/documents/:id", requirePermission({ client: accord, resource: document, permission: "edit", subject: user }), (req, res) => {
  res.json({ id: req.params.id, saved: true, decision: req.accord });
});

const server = app.listen(Number(process.env.PORT ?? 3000), "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : process.env.PORT;
  console.log(`protected-service listening on http://127.0.0.1:${port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
