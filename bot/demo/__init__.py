"""``feedbackbot demo``: the whole product on one machine, against the platform stand-ins.

``cast`` is who takes part, ``stage`` starts the stand-ins and the real ``serve()``,
``customers`` plays the customers in their chats, ``scenario`` runs the story end to end.
"""
