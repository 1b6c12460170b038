def ferry_gate(signals):
    state = "docked"
    for signal in signals:
        if state == "docked" and signal == "horn":
            state = "sailing"
        elif state == "sailing" and signal != "horn":
            state = "docked"
    return state
