# syntax=docker/dockerfile:1
# No container engine runs on the project's machines: test/integration/docker-image.test.ts runs
# these steps in order on a clean copy instead (scripts/docker-check.ts; keep the two in step).
# 1) TypeScript → JavaScript: `npm run build` makes dist/ complete (JS, .ps1 scripts, .cjs preloads)
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY commands commands
COPY views views
COPY jobs jobs
COPY scripts scripts
COPY tools/*.ts tools/*.cjs tools/
RUN npm run build && npm prune --omit=dev

# 2) the embedded FerretDB wrapper (used only when MONGODB_URI is unset)
FROM golang:1.24-bookworm AS ferretdb
WORKDIR /src
COPY tools/ferretdb/ ./
RUN CGO_ENABLED=0 go build -trimpath -o /out/oslayer-ferretdb .

# 3) slim runtime, non-root
FROM node:20-bookworm-slim
ENV NODE_ENV=production OSLAYER_DATA_DIR=/data OSLAYER_FERRETDB_BIN=/usr/local/bin/oslayer-ferretdb PORT=3000
WORKDIR /app
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/package.json ./
COPY manifest.yml ./
COPY --from=ferretdb /out/oslayer-ferretdb /usr/local/bin/oslayer-ferretdb
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
STOPSIGNAL SIGTERM
# The same command as `npm start`: a 1 MB young generation keeps idle RSS under 150 MB after traffic.
CMD ["node", "--max-semi-space-size=1", "dist/src/main.js"]
