// RaceModel: see ../shared/design.md
