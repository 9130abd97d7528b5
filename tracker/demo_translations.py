"""The demo register in both languages (tracker/demo.py): each public entry's text translated
into the register's other language, by project key and language. One public entry,
NH-INF-LEAKS-01, is left untranslated on purpose, so a new user sees both cases: a Korean reader
meets it in English, marked as English, with a note that it is available in English only."""

# fmt: off
TRANSLATIONS = {
    "NH-OPS-GUIDE-01": {"ko": {
        "title": "노스헤이븐에 물어보세요: 시 서비스 안내 도우미",
        "problem": "주민들은 1,900가지 시 서비스 가운데 어떤 것이 자신에게 해당하는지 알기 어려웠습니다. 창구 방문의 3분의 "
        "1이 단순 문의였고, 알맞은 서비스를 찾는 데 평균 14분이 걸렸습니다.",
        "purpose": "주민이 알맞은 시 서비스와 필요한 서류, 신청할 곳을 쉬운 말로, 언제든지 northhaven.example과 노스헤이븐 "
        "앱에서 찾도록 돕습니다.",
        "data_sources": "시가 공개한 서비스 목록, 안내 페이지, 운영 시간과 수수료. 대화 내용은 답변을 고치기 위해 90일 동안 "
        "보관하며, 이름·주소·신분증 번호는 자동으로 지웁니다. 도우미는 사건 파일이나 개인 기록을 볼 수 없습니다.",
        "logic": "대규모 언어모델이 서비스 목록 안에서만 답을 찾아(검색 증강 생성) 모든 답변에 출처 페이지를 연결합니다. 목록에 "
        "없는 질문은 직원에게 넘깁니다.",
        "risks": "틀리거나 오래된 답변, 실제보다 확신에 찬 답변, 언어별 품질 차이가 생길 수 있습니다. 모든 답변에 출처를 "
        "밝히고, 서비스 목록을 매주 점검하며, 매달 언어별로 대화 400건을 검토합니다.",
        "human_oversight": "시민서비스과 직원이 매주 신고되거나 표본으로 뽑힌 대화를 검토하고 특정 주제를 끌 수 있습니다. "
        "도우미는 신청에 대해 결정하지 않으며, 결정은 공무원이 합니다. 주민은 언제든 직원 연결을 요청할 수 있습니다.",
        "risk_rationale": "주민이 도우미와 대화하고 도우미가 만든 글을 읽으므로 투명성 의무가 있습니다(EU AI Act 제50조). "
        "안내하고 예약만 할 뿐 신청에 대해 결정하지 않습니다.",
    }},
    "NH-SAF-ALERT-01": {"ko": {
        "title": "노스헤이븐 경보: 공습 경보와 대피소 찾기",
        "problem": "사이렌이 모든 사람에게 들리지는 않고, 경보가 울렸을 때 주민들은 가까운 대피소 가운데 어디가 열려 있고 "
        "이용할 수 있는지 몰랐습니다.",
        "purpose": "공습이 있으면 몇 초 안에 주민의 휴대전화로 경보를 보내고, 휠체어 이용자를 위한 턱 없는 대피소를 포함해 "
        "갈 수 있는 가장 가까운 개방 대피소를 보여 줍니다.",
        "data_sources": "민방위 경보 신호, 대피소 관리인이 개방 여부를 확인한 시 대피소 목록, 대피소 출입문의 익명 계수기, "
        "휴대전화 위치(휴대전화 안에서만 쓰이고 시로 보내지 않습니다).",
        "logic": "경로 안내 모델이 지난 경보 때의 출입문 계수 추이를 바탕으로, 열려 있고 이용할 수 있으며 자리가 있을 것으로 "
        "예상되는 가장 가까운 대피소를 고릅니다. 경보 발령은 AI가 정하지 않으며 민방위 당국이 합니다.",
        "risks": "개방으로 표시된 대피소가 닫혀 있거나 가득 찰 수 있고, 데이터 연결이 없는 휴대전화는 알림을 받지 못할 수 "
        "있습니다. 사이렌과 라디오는 그대로 두고, 관리인이 매일 대피소 상태를 확인하며, 경로 안내를 할 수 없을 때는 앱이 "
        "전체 대피소 목록을 보여 줍니다.",
        "human_oversight": "비상관리과 당직자가 모든 경보를 지켜보고, 대피소를 직접 고정하거나 뺄 수 있으며, 경보가 끝날 "
        "때마다 전달 시간을 검토합니다.",
        "risk_rationale": "주민이 휴대전화에서 대피소 경로 안내를 봅니다. 경보는 모델이 아니라 민방위 당국이 발령하며, 전체 "
        "대피소 목록은 언제나 한 번만 누르면 볼 수 있습니다.",
    }},
    "NH-LIV-APPOINT-01": {"ko": {
        "title": "시립 의원 전문 진료 예약 최적화",
        "problem": "주민들은 전문의 진료 예약을 평균 47일 기다리는데, 예약된 시간의 28%는 환자가 오지 않아 비어 있습니다.",
        "purpose": "비게 될 예약 시간을 대기자 명단의 환자에게 제공해, 시립 의원의 전문의 진료 대기를 줄입니다.",
        "data_sources": "시범 운영 의원 3곳의 최근 2년간 예약과 내원 기록(날짜, 의원, 진료과, 예약 시점, 과거 내원 여부). "
        "진단명이나 의료 기록은 쓰지 않습니다.",
        "logic": "통계 모델이 예약한 환자가 오지 않을 가능성을 추정합니다. 가능성이 높은 환자에게는 알림을 한 번 더 보내고, "
        "예약이 취소되면 대기자 명단의 다음 환자에게 기다린 순서대로 문자로 제공합니다.",
        "risks": "교대 근무처럼 스스로 어쩔 수 없는 이유로 예약을 더 자주 놓치는 집단이 불공정한 대우를 받을 수 있습니다. "
        "예측 때문에 예약을 잃는 사람은 없으며, 모델은 분기마다 지역과 연령에 따른 차이를 감사받습니다.",
        "human_oversight": "의원 예약 담당자가 모든 제안을 보내기 전에 확인하고 서비스를 멈출 수 있습니다. 진료 우선순위는 "
        "언제나 모델이 아니라 의사가 정합니다.",
        "risk_rationale": "공공서비스인 전문의 진료에 주민이 얼마나 빨리 닿는지를 좌우합니다(OMB M-25-21 고영향, EU AI Act "
        "부속서 III 5(a)).",
    }},
    "NH-MOB-SIGNALS-01": {"ko": {
        "title": "간선도로 적응형 교통신호",
        "problem": "가장 붐비는 간선도로 4곳의 고정 신호 주기 때문에 출퇴근 시간 정체가 길고, 보행자는 텅 빈 교차로에서도 "
        "기다려야 합니다.",
        "purpose": "실제 교통량에 맞춰 신호 주기를 조정해, 가장 붐비는 간선도로 4곳에서 운전자, 버스, 자전거 이용자, "
        "보행자의 신호 대기를 줄입니다.",
        "data_sources": "교차로의 도로 센서와 카메라 자료를 현장에서 차량·자전거·보행자 수로 바꾼 것. 영상은 저장하지 않으며 "
        "누구도 식별하지 않습니다. 버스 위치는 운송사업자에게서 받습니다.",
        "logic": "최적화 모델이 신호 주기마다 전체 대기를 가장 줄이도록 녹색 시간을 정하며, 늦게 운행하는 버스를 우선하고 "
        "보행자에게는 정해진 최소 횡단 시간을 보장합니다.",
        "risks": "이면도로의 대기가 길어질 수 있고, 센서 고장으로 신호가 나빠질 수 있습니다. 최소 녹색 시간이 이면도로와 "
        "보행자를 지키며, 센서가 고장 나면 교차로는 고정 신호로 돌아갑니다.",
        "human_oversight": "교통관제센터의 교통 엔지니어가 간선도로를 실시간으로 지켜보고 어느 교차로든 직접 제어할 수 있으며, "
        "매달 방향별 대기 시간을 검토합니다.",
        "risk_rationale": "도로교통 관리의 안전 구성요소입니다(EU AI Act 부속서 III 2호). 신호가 잘못되면 보행자, 자전거 "
        "이용자, 운전자가 위험해질 수 있습니다.",
    }},
    "NH-INF-BRIDGE-01": {"ko": {
        "title": "센서 분석을 활용한 교량 유지관리",
        "problem": "교량 결함이 정기 점검에서야 발견되어 늦는 경우가 많았고, 긴급 보수 때문에 예고 없이 차로를 막는 일이 "
        "한 해에 19번 있었습니다.",
        "purpose": "시 교량의 마모와 손상을 일찍 찾아, 예고 없이 차로를 막는 긴급 보수 대신 계획된 보수를 하게 합니다.",
        "data_sources": "교량에 붙인 변형률·진동·온도 센서, 공공사업과의 점검 보고서와 보수 기록. 사람에 관한 데이터는 "
        "모으지 않습니다.",
        "logic": "모델이 교량마다 교통량과 온도에 따른 평소 반응을 배우고, 센서가 며칠 동안 평소와 다르게 움직이면 경보를 "
        "냅니다.",
        "risks": "경보를 놓치면 결함이 커질 수 있고, 잘못된 경보는 점검 시간을 낭비합니다. 법정 점검 일정은 그대로이며, 모든 "
        "경보는 엔지니어가 확인합니다.",
        "human_oversight": "교량 엔지니어가 모든 경보를 영업일 2일 안에 검토하고 점검과 보수를 결정합니다. 모델은 교량이나 "
        "차로를 막지 않습니다.",
        "risk_rationale": "구조물의 센서 분석입니다. 모든 점검과 보수는 엔지니어가 결정하며, 사람에 관한 데이터는 모으지 "
        "않습니다.",
    }},
    "NH-LIV-WELFARE-01": {"ko": {
        "title": "위기 가구를 놓치기 전에 찾아내기",
        "problem": "실직이나 질병으로 집세와 공과금이 밀린 위기 가구는 받을 수 있는 지원을 신청하지 못하는 경우가 많아, "
        "사회복지사는 퇴거나 입원 뒤에야 이들을 만났습니다.",
        "purpose": "사회복지사가 퇴거, 공급 중단, 입원 전에 위기 가구를 일찍 찾아, 그 가구가 받을 수 있는 지원을 안내하도록 "
        "돕습니다.",
        "data_sources": "시가 이미 받고 있는 체납 통지: 공공요금 공급 중단 예고, 시영주택 임대료 체납, 건강보험료 체납, "
        "학교 급식비 미납, 그리고 가구원 수와 거주 지역. 의료 기록, 경찰 자료, 소셜미디어 자료는 쓰지 않습니다.",
        "logic": "통계 모델이 체납의 건수, 종류, 기간으로 각 가구가 앞으로 3개월 안에 위기를 겪을 가능성을 점수로 매깁니다. "
        "매달 점수가 가장 높은 300가구를 점수의 근거와 함께 지역 사회복지팀에 보냅니다.",
        "risks": "체납 기록이 없는 가구는 놓치고, 방문이 부담스럽게 느껴질 수 있으며, 지역이나 가구 유형에 따라 점수가 "
        "불공정하게 다를 수 있습니다. 방문은 제안일 뿐 의무가 아니며, 모델은 분기마다 지역·연령·가구 유형별 차이를 "
        "감사받고, 가구는 연락받은 이유를 묻고 자료 삭제를 요청할 수 있습니다.",
        "human_oversight": "사회복지사가 연락하기 전에 모든 경보를 검토하고 연락할지, 어떻게 연락할지 정합니다. 모델은 어떤 "
        "지원도 주거나 줄이거나 거절하지 않습니다. 사회복지위원회가 분기마다 감사 결과를 검토합니다.",
        "risk_rationale": "사회복지사가 어느 가구에 받을 수 있는 지원을 안내할지 정하므로 공공 급여에 대한 접근에 "
        "해당합니다(OMB M-25-21 고영향, EU AI Act 부속서 III 5(a), 한국 AI 기본법).",
    }},
    "NH-MOB-CROSSING-01": {"en": {
        "title": "Longer crossing times for pedestrians who need them",
        "problem": "Older and disabled pedestrians are still on the crossing when the green man ends, which makes "
        "junctions dangerous.",
        "purpose": "Extends the pedestrian signal automatically by up to 10 seconds while someone is still on the "
        "crossing, so older and disabled residents can cross safely.",
        "data_sources": "Only the counts of pedestrians from the crossing cameras. No video is stored and no faces "
        "are identified.",
        "logic": "An image-recognition model counts the people on the crossing and, when someone is still there as "
        "the signal ends, asks the signal controller for an extension.",
        "risks": "A detection error may leave the signal unextended, so the existing minimum crossing time always "
        "stays. An extension can lengthen the wait for traffic, so each junction has a limit.",
        "human_oversight": "Staff of the Transport Operations Division check the log of extensions every day and can "
        "switch back to the fixed signal at any time.",
        "risk_rationale": "A safety component of traffic signal control that directly affects pedestrians' safety "
        "(high-impact AI under Korea's AI Basic Act; EU AI Act Annex III point 2).",
    }},
    "NH-OPS-MINWON-01": {"en": {
        "title": "AI assistant for residents' enquiries",
        "problem": "Callers wait long on the enquiries line, and the same question gets different answers from "
        "different agents.",
        "purpose": "Suggests draft answers from the city's published guidance to call-centre agents as they answer, "
        "to cut waiting times and make answers consistent.",
        "data_sources": "The published guidance on the city website and the rules for handling enquiries. No caller's "
        "personal information is sent to the model.",
        "logic": "A generative AI model finds the relevant parts of the guidance and drafts an answer with its sources.",
        "risks": "An answer may be wrong, so every draft carries its sources and agents pass it on only after checking "
        "it.",
        "human_oversight": "Agents read and correct every answer before giving it; the AI never answers a caller "
        "directly.",
        "risk_rationale": "Callers indirectly receive answers drafted by generative AI, which brings a transparency "
        "duty. Agents check every answer, so it is not high-impact AI.",
    }},
}
# fmt: on
UNTRANSLATED = "NH-INF-LEAKS-01"
