"""受理: the search-first intake wizard (查询 → 家庭与成员 → 申请事项 → 材料 → 确认).

:class:`desktop.ui.intake.page.IntakePage` is the section page; each step is
its own module and talks to the database only through ``ctx.tasks`` and
``desktop.services``.
"""
