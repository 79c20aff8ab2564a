ARG BASE=node:22-bookworm-slim
# mediastrends: the pipeline, the site builder and `mediastrends serve` in one image (amd64, arm64;
# see README "Run at home"). Default command: `serve` (runs on a schedule, serves the site on 8080).
#
# NODE_MODULES=ci (default): `npm ci` in a build stage, against the npm registry.
# NODE_MODULES=context: take node_modules/ installed beforehand on the build machine (for builds
# without a registry, e.g. scripts/test-container.sh):
#   podman build --build-arg NODE_MODULES=context --build-context node_modules=./node_modules .
ARG NODE_MODULES=ci

# ---- production node_modules from the registry (better-sqlite3: a prebuilt binary, or compiled) ----
FROM ${BASE} AS modules-ci
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY stubs/ ./stubs/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- node_modules handed over as a build context ----
FROM ${BASE} AS modules-context
COPY --from=node_modules . /app/node_modules/

FROM modules-${NODE_MODULES} AS modules

# ---- the image ----
FROM ${BASE}
# tini (PID 1: signals, zombies), git and ssh (publishing), setpriv (util-linux) drops privileges.
# Empty APT_PACKAGES: the base has them already (a base image made without a registry).
ARG APT_PACKAGES="tini git openssh-client ca-certificates"
RUN if [ -n "$APT_PACKAGES" ]; then \
      apt-get update && apt-get install -y --no-install-recommends $APT_PACKAGES \
      && rm -rf /var/lib/apt/lists/*; \
    fi
# The non-root user the entrypoint runs everything as (uid/gid follow PUID/PGID at start).
RUN if id node >/dev/null 2>&1; then userdel --remove node; fi \
 && groupadd --gid 1000 mediastrends \
 && useradd --uid 1000 --gid 1000 --home-dir /home/mediastrends --create-home --shell /usr/sbin/nologin mediastrends
WORKDIR /app
COPY --from=modules /app/node_modules ./node_modules
COPY . .
# Astro writes its caches in the package (node_modules/.astro, node_modules/.vite) and stages each
# build in /app/.astro, which it removes after: /app is group-writable with the sticky bit (the
# user can add and remove its own entries only). The demo writes data/demo and dist/.
RUN mkdir -p /config /data /app/node_modules/.astro /app/node_modules/.vite /app/data /app/dist \
 && chown -R mediastrends:mediastrends /config /data /app/node_modules/.astro /app/node_modules/.vite /app/data /app/dist \
 && chown root:mediastrends /app && chmod 1775 /app \
 && chmod 0755 /app/docker/entrypoint.sh /app/bin/mediastrends.mjs \
 && ln -sf /app/bin/mediastrends.mjs /usr/local/bin/mediastrends
ENV NODE_ENV=production \
    ASTRO_TELEMETRY_DISABLED=1 \
    MEDIASTRENDS_DIRCONF=/config \
    MEDIASTRENDS_MODE=home \
    HOME=/home/mediastrends
VOLUME ["/config", "/data"]
EXPOSE 8080
HEALTHCHECK --interval=1m --timeout=10s --start-period=15m --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.MEDIASTRENDS__SERVE__PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "/app/docker/entrypoint.sh"]
CMD ["serve"]
