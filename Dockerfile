# syntax=docker/dockerfile:1
# meshbot on Node 24 (the current LTS). The CLI ships as an esbuild bundle (docs/build.md), so
# the runtime image holds the bundle and only the dependencies that stay outside it
# (@napi-rs/canvas, native): no dev toolchain, no bundled packages' node_modules.

# Build stage: the dev toolchain builds the bundle.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# The sources and the files read at run time (.dockerignore leaves out tests, .git, outputs).
# runbooks/ is made if a checkout has none, so the runtime stage can always copy it.
COPY . .
RUN npm run build && mkdir -p runbooks

# Dependencies stage: run-time dependencies only (package.json "dependencies": native code).
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Runtime: the bundle, its external dependencies, protos, built-in scenarios and runbooks; non-root.
FROM node:24-bookworm-slim
# Fonts for the metrics chart's labels (rendered with @napi-rs/canvas).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/meshbot.js /app/dist/meshbot.js.map ./dist/
COPY --from=build /app/dist/chunks ./dist/chunks
COPY --from=build /app/bin ./bin
COPY --from=build /app/proto ./proto
COPY --from=build /app/scenarios ./scenarios
COPY --from=build /app/runbooks ./runbooks
# The node image's `node` user, by number, so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 3000
ENTRYPOINT ["node", "bin/meshbot.js"]
CMD ["serve"]
