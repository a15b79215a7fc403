//! How well `check_utterance` judges realistic agent sentences.
//!
//! Each sentence was written for this test as an agent of a GPS installation
//! and repair hotline might say or type it, and labelled by hand with the
//! rule it breaks (or none). Innocent sentences deliberately share words with
//! the forbidden ones ("上门" in a question about a past visit, "定位" for the
//! customer's own vehicle, "保修期内不收配件费", "应该先检查供电").
//!
//! The tuning set's first run flagged 2 of 40 innocent sentences (5.0 %) and
//! missed none of 33 breaches; see `HELD_OUT` for figures on unseen text.
//!
//! Thresholds: a false positive costs an agent points for a correct sentence
//! and teaches agents to ignore the checker, so it must stay rare (≤ 5 %).
//! A false negative lets one breach through to the supervisors' sampling,
//! which still exists, so a little more is tolerated (≤ 10 %).

use sopline_plugin_gps::Gps;
use sopline_sdk::testing::*;
use sopline_sdk::*;

/// Before approval (the order is still with the manager) or after it.
#[derive(Clone, Copy, PartialEq)]
enum Stage {
    Pending,
    Approved,
}
use Stage::*;

const ONSITE: Option<&str> = Some("GPS-ONSITE-PROMISE");
const PRIVACY: Option<&str> = Some("GPS-PRIVACY");
const WARRANTY: Option<&str> = Some("GPS-WARRANTY-PROMISE");
const BUCK: Option<&str> = Some("GPS-BUCK-PASSING");
const RUDE: Option<&str> = Some("GPS-RUDE");
const ARGUING: Option<&str> = Some("GPS-ARGUING");
const RASH: Option<&str> = Some("GPS-RASH-PROMISE");
const VAGUE: Option<&str> = Some("GPS-VAGUE");
const NONE: Option<&str> = None;

const CASES: &[(Stage, &str, Option<&str>)] = &[
    // GPS-ONSITE-PROMISE: an on-site time before approval.
    (Pending, "王先生您放心,师傅明天上午就上门给您装。", ONSITE),
    (Pending, "我们今天下午派师傅过去给您看看。", ONSITE),
    (Pending, "两小时内技术人员就到您那边。", ONSITE),
    (Pending, "马上安排师傅上门,您在公司等着就行。", ONSITE),
    (Pending, "师傅周四就过去,周五之前给您装好。", ONSITE),
    (Pending, "明早八点师傅到场。", ONSITE),
    (Pending, "下午三点前安排技术员上门更换终端。", ONSITE),
    (Pending, "今晚就能派人过去处理。", ONSITE),
    (Pending, "您别急,我立刻派技术人员去现场。", ONSITE),
    // … and look-alikes.
    (Pending, "您的维修服务单我已经提交,等经理审批后我们再和您确认上门时间。", NONE),
    (Pending, "明天上午请您把车辆明细表发到我们邮箱。", NONE),
    (Pending, "您上次师傅上门是什么时候?", NONE),
    (Pending, "师傅昨天已经上门检查过了,终端供电正常。", NONE),
    (Pending, "下午我再给您回个电话,告诉您审批进度。", NONE),
    (Approved, "师傅明天上午九点上门,出发前会给您打电话。", NONE),
    (Pending, "派工单审批通过后,我们会安排技术人员上门安装。", NONE),
    (Pending, "过去三个月您的设备一直在线,运行正常。", NONE),
    (Pending, "今天的回访就到这里,感谢您的支持!", NONE),
    (Pending, "明天上午我们会把派工单交给经理审批。", NONE),
    (Pending, "您的终端今天上午已经恢复上线了。", NONE),
    // GPS-PRIVACY: another customer's vehicle.
    (Pending, "另一家物流公司的车现在停在高速服务区。", PRIVACY),
    (Pending, "粤B67890这台车昨晚的轨迹在东莞。", PRIVACY),
    (Pending, "其他客户的车辆定位我这边也能看到,在龙岗那边。", PRIVACY),
    (Pending, "隔壁公司那辆冷藏车的位置是宝安大道。", PRIVACY),
    (Pending, "别人的车跑到哪我们都查得到,比如京A88888现在在五环。", PRIVACY),
    (Approved, "您问的那辆湘A·5D321是别的单位的车,它今天开到长沙了。", PRIVACY),
    // … and look-alikes.
    (Pending, "您的粤B12345目前停在公司停车场,信号正常。", NONE),
    (Pending, "其他客户的车辆位置我们不能透露,请您理解。", NONE),
    (Pending, "请问您要查询的是粤B12345这台车吗?", NONE),
    (Pending, "请问您说的车牌是沪C54321吗?我帮您核对一下。", NONE),
    (Pending, "定位不准的问题,很多客户都反馈过,是信号遮挡造成的。", NONE),
    (Approved, "您的车辆定位显示在线,轨迹回放可以在平台上查看。", NONE),
    // GPS-WARRANTY-PROMISE: only parts are charged after the warranty, nothing is free.
    (Approved, "您放心,过了保修期也免费给您修。", WARRANTY),
    (Approved, "这次零部件费给您免了,就当是照顾老客户。", WARRANTY),
    (Pending, "过保也不收费的,您直接送过来。", WARRANTY),
    (Pending, "保修期外维修我们不收配件费。", WARRANTY),
    // … and look-alikes.
    (Pending, "保修期内免费维修,保修期外只收零部件费用。", NONE),
    (Pending, "您这台终端还在保修期内,不收配件费。", NONE),
    (Pending, "过保的设备维修只收取零部件费用,不收人工费。", NONE),
    // Common: buck-passing (首问负责制).
    (Pending, "这不归我管,你打别的电话吧。", BUCK),
    (Pending, "安装的事你去找销售吧,不关我的事。", BUCK),
    (Pending, "你自己去问经销商。", BUCK),
    (Pending, "这个问题由我负责跟进,处理结果我会及时回复您。", NONE),
    (Pending, "我帮您联系技术部的同事,稍后给您回电。", NONE),
    // Common: rude.
    (Pending, "我已经说过了,终端要先断电重启。", RUDE),
    (Pending, "你听不懂吗?要先插SIM卡。", RUDE),
    (Pending, "你有完没完啊", RUDE),
    (Pending, "我再为您详细说明一次重启的步骤。", NONE),
    // Common: arguing.
    (Pending, "那是你自己的问题,线是你们司机拔掉的。", ARGUING),
    (Pending, "又不是我的错,系统就是这样。", ARGUING),
    (Pending, "感谢您对我们工作的支持。", NONE),
    (Approved, "请问你对这次安装服务满意吗?", NONE),
    // Common: promises at will.
    (Pending, "我保证明天就能修好。", RASH),
    (Pending, "肯定没问题,装上就能用。", RASH),
    (Pending, "百分之百是终端坏了,换一台就行。", RASH),
    (Pending, "我们的终端有一年质量保证。", NONE),
    (Pending, "保证金在合同结束后退还。", NONE),
    // Common: vague phrasing.
    (Pending, "大概三天能到货。", VAGUE),
    (Pending, "应该可以吧,我也不太确定。", VAGUE),
    (Pending, "过几天再给您回复。", VAGUE),
    (Pending, "预计3个工作日内寄出新的SIM卡。", NONE),
    (Pending, "请您大概描述一下故障现象。", NONE),
    (Pending, "您应该先检查一下终端的供电线。", NONE),
    // Everyday GPS sentences that break nothing.
    (Pending, "设备死机的话,请先断电重启。", NONE),
    (Pending, "远程接入需要您的授权,请问您同意吗?", NONE),
    (Pending, "我们已将故障发生时间、地点和现象上报分管经理。", NONE),
    (Pending, "请您提供一下车牌号、车辆明细和司机信息。", NONE),
    (Pending, "新的SIM卡号是8986001234567890,旧卡号我已经登记。", NONE),
    (Pending, "您在粤B12345和粤B12346两台车上都装了终端吗?", NONE),
    (Pending, "12月我们会给您寄送新年礼物,顺便了解明年的需求计划。", NONE),
    (Pending, "师傅出发前会核对安装信息,准备好工具和备件。", NONE),
    (Approved, "您好,很高兴为您服务,请问有什么可以帮您?", NONE),
    (Approved, "请问还有其他需求吗?", NONE),
];

/// Written after the rules were tuned on `CASES`. Its first run, before any
/// change, is the honest estimate for new text: false positives 1/10
/// ("马上就到年底了" read as a visit), false negatives 3/11 ("四点钟到您公司",
/// "去您那边", "维修费全免"). Those gaps were then closed, so this set now
/// counts as tuning data too; new sentences belong in a fresh held-out list.
const HELD_OUT: &[(Stage, &str, Option<&str>)] = &[
    (Pending, "估计明天中午师傅能赶到,您看行吗?", ONSITE),
    (Pending, "您放心,我们今天一定派人过去。", ONSITE),
    (Pending, "师傅大约四点钟到您公司。", ONSITE),
    (Pending, "后天上午我们的工程师会去您那边安装。", ONSITE),
    (Pending, "别的车主的车也在这个停车场,位置在B2层。", PRIVACY),
    (Pending, "浙A12B34昨天下午停在杭州东站。", PRIVACY),
    (Approved, "过了保修期,零部件也免费更换。", WARRANTY),
    (Pending, "超出保修期的话,维修费全免。", WARRANTY),
    (Pending, "你爱找谁找谁去。", RUDE),
    (Pending, "这事我管不了,你找别的部门吧。", BUCK),
    (Pending, "说不准,可能要等一阵子。", VAGUE),
    (Pending, "工程师上门前会先打电话和您确认时间。", NONE),
    (Pending, "您今天下午方便接电话吗?审批有结果我第一时间通知您。", NONE),
    (Pending, "请问您的车辆现在在哪个城市?方便我们安排。", NONE),
    (Pending, "终端编号和SIM卡号我都核对过了,没有问题。", NONE),
    (Approved, "技术人员明天上午十点到您那边,请您安排人员配合。", NONE),
    (Pending, "保修期内的维修是免费的,您不用担心费用。", NONE),
    (Pending, "马上就到年底了,我们会给您寄一份新年礼物。", NONE),
    (Pending, "这个轨迹回放功能可以查看您名下所有车辆。", NONE),
    (Pending, "如果远程无法解决,我们会提交维修服务单,经理审批后安排现场服务。", NONE),
    (Pending, "您反馈的定位漂移问题我已经记录,今天内给您回复处理方案。", NONE),
];

fn contact_for(stage: Stage) -> Contact {
    let c = contact().category("repair").agent("a1").state(State::InProgress).field("plate_number", "粤B12345");
    match stage {
        Pending => c.build(),
        Approved => c.memory("approved_by", "mgr-li").build(),
    }
}

/// (false positives, innocent sentences, false negatives, breaches), printing each miss.
fn score(name: &str, cases: &[(Stage, &str, Option<&str>)]) -> (usize, usize, usize, usize) {
    let h = Harness::<Gps>::new();
    let (mut positives, mut negatives, mut false_neg, mut false_pos, mut wrong_extra) = (0, 0, 0, 0, 0);
    for (stage, text, expected) in cases {
        let found: Vec<String> = h.check(&contact_for(*stage), text).into_iter().map(|v| v.rule).collect();
        match expected {
            Some(rule) => {
                positives += 1;
                if !found.iter().any(|r| r == rule) {
                    false_neg += 1;
                    println!("missed   {rule:<22} {text}  → {found:?}");
                } else if found.len() > 1 {
                    wrong_extra += 1;
                    println!("extra    {rule:<22} {text}  → {found:?}");
                }
            }
            None => {
                negatives += 1;
                if !found.is_empty() {
                    false_pos += 1;
                    println!("flagged  {:<22} {text}  → {found:?}", "(none)");
                }
            }
        }
    }
    println!(
        "{name}: {} sentences, {positives} breaches, {negatives} innocent; false positives {false_pos}/{negatives} = {:.1} %, \
         false negatives {false_neg}/{positives} = {:.1} %, breaches also flagged under another rule: {wrong_extra}",
        cases.len(),
        false_pos as f64 * 100.0 / negatives as f64,
        false_neg as f64 * 100.0 / positives as f64,
    );
    (false_pos, negatives, false_neg, positives)
}

#[test]
fn false_positive_and_false_negative_rates_stay_within_bounds() {
    let (fp1, n1, fn1, p1) = score("tuning set", CASES);
    let (fp2, n2, fn2, p2) = score("held-out set", HELD_OUT);
    let fp = (fp1 + fp2) as f64 / (n1 + n2) as f64;
    let fn_ = (fn1 + fn2) as f64 / (p1 + p2) as f64;
    println!("all: false positives {:.1} %, false negatives {:.1} %", fp * 100.0, fn_ * 100.0);
    assert!(CASES.len() + HELD_OUT.len() >= 50);
    assert!(fp <= 0.05, "false-positive rate {:.1} % above 5 %", fp * 100.0);
    assert!(fn_ <= 0.10, "false-negative rate {:.1} % above 10 %", fn_ * 100.0);
}

#[test]
fn violations_carry_the_excerpt_points_and_a_suggestion() {
    let h = Harness::<Gps>::new();
    let hit = &h.check(&contact_for(Pending), "王先生您放心,师傅明天上午就上门给您装。")[0];
    assert_eq!((hit.rule.as_str(), hit.points), ("GPS-ONSITE-PROMISE", 3));
    assert_eq!(hit.excerpt, "明天上午就上门");
    assert!(hit.suggestion.as_deref().unwrap().contains("审批"));
    let hit = &h.check(&contact_for(Pending), "粤B·67890这台车昨晚的轨迹在东莞。")[0];
    assert_eq!((hit.rule.as_str(), hit.excerpt.as_str(), hit.points), ("GPS-PRIVACY", "粤B·67890", 5));
}

#[test]
fn the_customers_own_words_are_not_judged() {
    let h = Harness::<Gps>::new();
    let text = "你听不懂吗?另一家公司的车停在哪?";
    assert!(h.plugin.check_utterance(&contact_for(Pending), Speaker::Customer, text).is_empty());
    assert!(!h.check(&contact_for(Pending), text).is_empty());
}

#[test]
fn points_per_rule_are_parameters() {
    let h = Harness::<Gps>::with_params(vec![
        ("privacy_points", ParamValue::Integer(8)),
        ("vague_points", ParamValue::Integer(0)),
    ])
    .unwrap();
    assert_eq!(h.check(&contact_for(Pending), "其他客户的车辆定位在龙岗。")[0].points, 8);
    assert_eq!(h.check(&contact_for(Pending), "过几天再给您回复。")[0].points, 0);
}
