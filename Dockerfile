# One image for every service: the workspace is installed and built once;
# each compose service runs its own command in it.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Manifests first, so dependencies are a cached layer of their own.
COPY package.json package-lock.json turbo.json tsconfig.base.json ./
COPY shared/package.json shared/
COPY packages/service-kit/package.json packages/service-kit/
COPY packages/test-support/package.json packages/test-support/
COPY services/api/package.json services/api/
COPY services/producer/package.json services/producer/
COPY services/consumer/package.json services/consumer/
COPY examples/package.json examples/
COPY bench/package.json bench/
RUN npm ci --no-audit --no-fund
COPY shared shared
COPY packages packages
COPY services services
RUN npx turbo run build --filter=@redproc/api --filter=@redproc/producer --filter=@redproc/consumer \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/shared/package.json shared/
COPY --from=build /app/shared/dist shared/dist
COPY --from=build /app/packages/service-kit/package.json packages/service-kit/
COPY --from=build /app/packages/service-kit/dist packages/service-kit/dist
COPY --from=build /app/services/api/package.json services/api/
COPY --from=build /app/services/api/dist services/api/dist
COPY --from=build /app/services/producer/package.json services/producer/
COPY --from=build /app/services/producer/dist services/producer/dist
COPY --from=build /app/services/consumer/package.json services/consumer/
COPY --from=build /app/services/consumer/dist services/consumer/dist
USER node
CMD ["node", "services/consumer"]
