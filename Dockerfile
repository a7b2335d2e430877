# syntax=docker/dockerfile:1
# One image for every sfn-bullmq service: the `sfn-bullmq` CLI (bridge, emulator, dev) and the example
# worker, from the same production folder that scripts/deploy-cli.sh makes (the consumer suite runs the
# CLI from that folder, since there is no Docker engine in CI). The compose file picks the command.

# ---- manifests: every package.json of the workspace, and nothing else ----
# Re-run on any change to the sources, but its output changes only with a manifest, so the install
# layers below stay cached; new workspace packages are picked up without editing this file.
FROM node:20.20-bookworm-slim AS manifests
COPY . /src
RUN mkdir /manifests && cd /src \
  && find . -name package.json -not -path '*/node_modules/*' -exec cp --parents '{}' /manifests/ ';'

# ---- build: dependencies in their own layers, then sources, then build and deploy ----
FROM node:20.20-bookworm-slim AS build
RUN npm install -g pnpm@10.34.9
WORKDIR /repo
# The store is filled from the lockfile alone: this layer is reused until pnpm-lock.yaml changes.
COPY pnpm-lock.yaml pnpm-workspace.yaml .pnpmfile.cjs ./
RUN pnpm fetch
# Then the manifests, so that a source change does not re-run the install.
COPY --from=manifests /manifests/ ./
RUN pnpm install --frozen-lockfile --offline
COPY . .
RUN pnpm exec turbo run build --filter=sfn-bullmq... \
  && scripts/deploy-cli.sh /out

# ---- final: production dependencies only, as a non-root user ----
FROM node:20.20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only for the `node` user (uid 1000) that runs it.
COPY --from=build /out /app
USER node
# 3000: the bridge's HTTP (metrics, health, Bull Board); 8083: the emulator.
EXPOSE 3000 8083
# The bridge's liveness; PORT is the bridge's HTTP port (default 3000). Other commands of this image
# (emulator, example worker) have no /healthz: their compose services turn this check off.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || '3000') + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (the default stop signal) drains the bridge; see stop_grace_period in docker-compose.yml.
ENTRYPOINT ["node", "/app/bin/sfn-bullmq.js"]
CMD ["--help"]
