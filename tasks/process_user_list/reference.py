def process_user_list(users):
    results = []
    for user in users:
        name = user["name"]
        scores = user["scores"]
        average = sum(scores) / len(scores) if scores else 0.0
        if average >= 90:
            rank = "Excellent"
        elif average >= 70:
            rank = "Good"
        elif average > 0:
            rank = "Fair"
        else:
            rank = "N/A"
        results.append(f"{name}: Average {average:.1f} (Rank: {rank})")
    return results
