// Storage: see ../shared/design.md
