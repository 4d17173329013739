# syntax=docker/dockerfile:1
# Production image of the Craft Scheduler REST service (@craft/api, `craft-api`). Build from the repository root:
#
#   docker build -t craft-api .                                  # Node.js 24 (LTS)
#   docker build -t craft-api --build-arg NODE_VERSION=26 .      # or 22 / 26, the other supported lines
#
# Run it with MONGODB_URI and JWT_SECRET (or JWT_PUBLIC_KEY); see docs/deploy.md and compose.yaml.
#
# No container runtime runs in this project's CI, so the image is proven by its contents: the test
# tooling/packaging/test/deploy.test.mjs reads this file, runs its `pnpm … deploy` line into a folder, starts the
# service from that folder with this file's ENV and CMD against MongoDB, runs the HEALTHCHECK command, and stops it
# with STOPSIGNAL. Keep those lines in the forms that test parses (one RUN line with `deploy`, JSON-array CMD and
# HEALTHCHECK CMD, one ENV line in the final stage).

ARG NODE_VERSION=24

# --- build: install the workspace, build @craft/api and what it depends on, deploy it with production deps only
FROM node:${NODE_VERSION}-bookworm-slim AS build
ENV CI=true TURBO_TELEMETRY_DISABLED=1
# pnpm from npm: Node.js 25 and later no longer ship corepack.
RUN npm install --global --no-audit --no-fund pnpm@10.34.9
WORKDIR /repo
# Dependencies first (this layer is reused until the lockfile changes): pnpm fetch reads only the lockfile.
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc .pnpmfile.cjs ./
COPY patches patches
RUN pnpm fetch
COPY . .
RUN pnpm install --offline --frozen-lockfile
RUN pnpm --filter "@craft/api..." run build
RUN pnpm --filter @craft/api deploy --legacy --prod /srv/craft-api

# --- runtime: the deployed folder (dist/ and production node_modules) on a slim Node.js, as an unprivileged user
FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=5001
WORKDIR /srv/craft-api
# Owned by root and read-only to the service: it writes nothing to disk (logs go to stdout).
COPY --from=build /srv/craft-api ./
USER node
EXPOSE 5001
# Liveness: GET /health answers while the process serves HTTP (/ready also checks the database; use it for a load
# balancer's readiness). Node.js's fetch, so the slim image needs no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||5001)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node is PID 1 (exec-form CMD, no shell, no npx in between) and handles SIGTERM itself: it stops claiming, lets
# running jobs finish for SHUTDOWN_GRACE_SECONDS (30 s), closes and exits 0. Give the container a longer stop
# timeout than that grace (docker stop -t 40, compose stop_grace_period, Kubernetes terminationGracePeriodSeconds).
# `docker run --init` / compose `init: true` adds tini to reap zombies; the service spawns no processes itself.
STOPSIGNAL SIGTERM
CMD ["node", "dist/bin.js"]
