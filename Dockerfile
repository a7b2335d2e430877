# One image for every sfn-bullmq service; the compose file picks the command.
FROM node:20-bookworm-slim
WORKDIR /app
RUN npm install -g pnpm@10.34.9
COPY . .
RUN pnpm install --frozen-lockfile && pnpm build
ENTRYPOINT ["node", "apps/bridge/bin/sfn-bullmq.js"]
