# One image for every sfn-bullmq service; the compose file picks the command
# (`bridge`, `emulator`, or the example worker's entry point).
FROM node:20-bookworm-slim
WORKDIR /app
RUN npm install -g pnpm@10.34.9
COPY . .
RUN pnpm install --frozen-lockfile && pnpm build
ENV NODE_ENV=production
EXPOSE 3000 8083
# SIGTERM (the default stop signal) drains the bridge; see stop_grace_period in docker-compose.yml.
ENTRYPOINT ["node", "apps/cli/bin/sfn-bullmq.js"]
CMD ["--help"]
