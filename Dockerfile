# syntax=docker/dockerfile:1
# The image of every service, built from the repository root; docker-compose.yml passes the
# service's name and port, and picks the `gateway` target (which adds the built SPA) or `service`:
#   docker build --build-arg SERVICE=order-service --build-arg PORT=8083 --target service .
#   docker build --build-arg SERVICE=gateway --build-arg PORT=8080 --target gateway .
# One file rather than five: the images differ only in those two values and the SPA.

FROM node:24-slim AS manifests
WORKDIR /app
# npm ci needs every workspace's manifest to match the lock, even when it installs one workspace.
COPY package.json package-lock.json ./
COPY libs/contracts/package.json libs/contracts/
COPY libs/db/package.json libs/db/
COPY libs/events/package.json libs/events/
COPY libs/jwt/package.json libs/jwt/
COPY libs/service-kit/package.json libs/service-kit/
COPY libs/tasks/package.json libs/tasks/
COPY libs/testing/package.json libs/testing/
COPY gateway/package.json gateway/
COPY user-service/package.json user-service/
COPY product-service/package.json product-service/
COPY order-service/package.json order-service/
COPY notification-service/package.json notification-service/
COPY frontend/package.json frontend/

# The service bundled into one ES module (scripts/lib/build.mjs), as npm start runs it.
FROM manifests AS build
ARG SERVICE
RUN test -n "$SERVICE" || { echo 'pass --build-arg SERVICE=<folder of the service>' >&2; exit 1; }
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY scripts ./scripts
COPY libs ./libs
COPY ${SERVICE} ./${SERVICE}
RUN node scripts/build-services.mjs ${SERVICE}

# Only the production dependencies of this one workspace: what the bundle imports at run time.
FROM manifests AS install
ARG SERVICE
RUN npm ci --omit=dev --workspace ${SERVICE} --no-audit --no-fund

FROM node:24-slim AS service
ARG SERVICE
ARG PORT
ENV NODE_ENV=production HOST=0.0.0.0 PORT=${PORT} SERVICE=${SERVICE}
WORKDIR /app
# Owned by root: the service (user node) reads its code but cannot rewrite it.
COPY --from=install /app ./
COPY --from=build /app/${SERVICE}/dist ./${SERVICE}/dist
USER node
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# exec: node itself is PID 1 and receives SIGTERM, so the service shuts down gracefully.
# Node's flags are scripts/lib/build.mjs's NODE_FLAGS (the young generation sized at start).
CMD ["sh", "-c", "exec node --enable-source-maps --min-semi-space-size=16 --max-semi-space-size=16 \"$SERVICE/dist/server.mjs\""]

FROM build AS spa
COPY frontend ./frontend
RUN npm run build:frontend

# The gateway also serves the SPA.
FROM service AS gateway
ENV FRONTEND_DIST=/app/frontend/dist
COPY --from=spa /app/frontend/dist ./frontend/dist
