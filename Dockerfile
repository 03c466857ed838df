# syntax=docker/dockerfile:1
# One image for sharq's CLI, workers and `sharq server`. Default command: the embedded-engine
# demo. As a local broker: `docker run -p 127.0.0.1:19092:19092 -v sharq:/data <image> server
# --host 0.0.0.0 --allow-remote --advertised-host 127.0.0.1 --port 19092 --data-dir /data`.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workers ./workers
COPY bench ./bench
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 19092
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["dev", "--data-dir", "/data"]
