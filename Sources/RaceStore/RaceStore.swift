// RaceStore: see ../shared/design.md
