// Leaderboard: see ../shared/design.md
