"""The use cases: what people and schedules ask Đôn Đốc to do, each a function of a :class:`Context`.

:class:`dondoc.app.Dondoc` is the context every shell builds; its methods call these.
"""
