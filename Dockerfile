# syntax=docker/dockerfile:1
# 1) TypeScript → JavaScript
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY commands commands
COPY views views
COPY jobs jobs
COPY tools/*.ts tools/
RUN npm run build && cp src/azure/scripts/*.ps1 dist/src/azure/scripts/ && npm prune --omit=dev

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
COPY tools/azurite-copy-fix.cjs tools/exit-with-parent.cjs dist/tools/
COPY --from=ferretdb /out/oslayer-ferretdb /usr/local/bin/oslayer-ferretdb
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
