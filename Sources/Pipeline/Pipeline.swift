// Pipeline: see ../shared/design.md
