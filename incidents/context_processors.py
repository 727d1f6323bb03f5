from incidents import known


def known_problems(request):
    return {"known_problems": known.open_now()}
