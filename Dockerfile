# syntax=docker/dockerfile:1
# Production image: `docker compose up --build` (see docker-compose.yml) or `docker build -t cachebook .`

# Build stage: all dependencies, compile with the Nest CLI, then drop the dev dependencies.
# Both stages are Debian bookworm, so the native modules built or downloaded here (sharp, argon2)
# match the runtime's glibc.
FROM node:24-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY nest-cli.json tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx nest build && npm prune --omit=dev --no-audit --no-fund

# Runtime stage: production dependencies and the compiled app only, run as the unprivileged "node" user.
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    RUNTIME_DIR=/app/.runtime \
    STORAGE_DIR=/data/storage
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY data ./data
# The only writable places: the runtime folder and the uploaded-file storage (a volume in compose).
RUN mkdir -p /app/.runtime /data/storage && chown node:node /app/.runtime /data/storage
USER node
EXPOSE 3000
# No curl in the slim image; Node 24 has fetch.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node runs as the container's main process and handles SIGTERM itself (src/main.ts closes the app).
CMD ["node", "--enable-source-maps", "dist/main.js"]
