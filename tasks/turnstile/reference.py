def turnstile(events):
    state = "locked"
    for event in events:
        if state == "locked" and event == "coin":
            state = "unlocked"
        elif state == "unlocked" and event == "push":
            state = "locked"
    return state
