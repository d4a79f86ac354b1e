# syntax=docker/dockerfile:1
#
# effect-dcr serve in a container. Stage 1 builds the workspace with the same commands CI runs
# (.ci/run: `pnpm install --frozen-lockfile`, then `pnpm run check`, whose first step is the
# `tsc -b` of `pnpm run build`), packs every package (`pnpm pack`, as scripts/test/pack.test.ts
# does) and installs the tarballs with npm, as a user of the published packages would. Stage 2
# holds Node.js and that installation only, and runs as the unprivileged `node` user.
#
#   docker build -t effect-dcr .
#   docker run -p 3000:3000 -v dcr-data:/data -e DCR_ISSUER=http://localhost:3000 effect-dcr

ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm-slim AS build
# better-sqlite3 downloads a prebuilt binary, or compiles one with these
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
RUN npm install -g pnpm@10.34.9
WORKDIR /src
COPY . .
RUN pnpm install --frozen-lockfile && pnpm run build
RUN mkdir /packs \
  && for pkg in schema client engine http-server cli; do (cd "packages/$pkg" && pnpm pack --pack-destination /packs); done
WORKDIR /app
RUN echo '{"name":"effect-dcr-image","private":true,"type":"module"}' > package.json \
  && npm install --omit=dev --no-audit --no-fund /packs/*.tgz

FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-semi-space-size=8 --max-old-space-size=128" \
    HOST=0.0.0.0 \
    PORT=3000 \
    DCR_LOG_FORMAT=json \
    DCR_DATABASE_URL=sqlite:/data/effect-dcr.sqlite \
    DCR_SERVICE_ACCESS_TOKEN_FILE=/data/service-access-token
WORKDIR /app
COPY --from=build /app /app
RUN mkdir /data && chown node:node /data
# the SQLite file (and its -wal and -shm files) live here
VOLUME /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/node_modules/effect-dcr/dist/bin.js"]
CMD ["serve"]
