# syntax=docker/dockerfile:1
# Accord image: production dependencies only, run as the unprivileged `node` user.
# Stage 1 installs dependencies (with build tools, for native modules without a prebuilt binary);
# stage 2 is the runtime with nothing but node, the dependencies and the sources.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    ACCORD_DATA_DIR=/var/lib/accord
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json schema.zed ./
COPY bin ./bin
COPY src ./src
RUN mkdir -p /var/lib/accord && chown node:node /var/lib/accord
USER node
EXPOSE 8080
# Ready means the engine answers and has the schema (GET /readyz), not merely "process up".
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--import", "tsx", "src/main.ts"]
